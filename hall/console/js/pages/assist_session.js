// 远程帮办 · 实时: one live call. The form as the walk-in sees it (values masked until they
// consent on the kiosk), proposals, highlight, guidance, chat, photo requests, the submit
// proposal, and hang-up. Speaks remote_assist/protocol.py over /api/v1/assist/helper; the page
// resumes by sequence number after a dropped socket, as the kiosk does.

import { h, toast } from "../ui.js";

const VERSION = 1;
const BY = { "": "未填写", walk_in: "群众填写", helper: "帮办填写" };
const END_REASONS = {
  walk_in_ended: "群众已结束帮办",
  session_over: "群众已办结并离开",
  kiosk_lost: "站点连接中断",
  helper_ended: "您已结束帮办",
};
// Why the hall dropped one of our frames (hall/assist.py answers "frame_refused").
const REFUSED = {
  NO_CONSENT: "群众尚未授权，该操作未发送到站点",
  WRONG_SENDER: "消息发送方不符，未发送",
};

export async function render(view, { params }) {
  const sessionId = params[0];
  const state = {
    ws: null, lastSeq: 0, outSeq: 0, unacked: [], ended: false,
    snapshot: null, consent: false, captures: {},
  };

  const consentBadge = h("span", { id: "assist-consent", class: "badge" }, "群众未授权查看内容");
  const statusLine = h("p", { id: "assist-status", class: "sub" }, "正在连接…");
  const formBody = h("tbody", { id: "assist-fields" });
  const materialsList = h("div", { id: "assist-materials", class: "materials" });
  const chatLog = h("ul", { id: "assist-chat", class: "history chat" });
  const chatInput = h("input", { id: "assist-chat-input", placeholder: "发送给群众的消息" });
  const guidanceInput = h("input", { id: "assist-guidance-input", placeholder: "在站点屏幕上显示的提示" });
  const submitState = h("p", { id: "assist-submit-state", class: "sub" });
  const videoState = h("span", { id: "assist-video-state", class: "badge" }, "未开始");
  // Not muted: the helper hears the walk-in (the kiosk's microphone, when the station has one).
  const remoteVideo = h("video", { id: "assist-video-remote", autoplay: true, playsinline: true });
  const localVideo = h("video", { id: "assist-video-local", autoplay: true, playsinline: true, muted: true });
  const videoButton = h("button", { type: "button", id: "assist-video-start", disabled: true }, "开始视频");
  const proposeSubmit = h("button", {
    type: "button", class: "primary", id: "assist-propose-submit", disabled: true,
    onclick: () => { send("submit_proposed", {}); submitState.textContent = "已请群众确认提交…"; },
  }, "请群众确认提交");
  // Whether the walk-in's microphone is heard: a helper talking to a silent station should know.
  const audioLevel = h("span", { id: "assist-audio-level", class: "badge", "data-heard": "", hidden: true }, "");
  const VIDEO_STATES = { new: "准备中", connecting: "连接中", connected: "已接通", disconnected: "已中断", failed: "连接失败", closed: "已结束" };
  let pc = null;
  let audioTimer = null;

  function watchAudio(peer) {
    let energy = 0;
    let quietFor = 0;
    clearInterval(audioTimer);
    audioTimer = setInterval(async () => {
      if (peer.connectionState === "closed") { clearInterval(audioTimer); audioLevel.hidden = true; return; }
      audioLevel.hidden = false;
      const stats = [...(await peer.getStats()).values()];
      const inbound = stats.find((r) => r.type === "inbound-rtp" && r.kind === "audio");
      if (!inbound) {
        Object.assign(audioLevel, { textContent: "站点无麦克风" });
        audioLevel.dataset.heard = "none";
        return;
      }
      const now = inbound.totalAudioEnergy || 0;
      quietFor = now > energy + 1e-6 ? 0 : quietFor + 1;
      energy = now;
      const heard = quietFor < 3;
      audioLevel.textContent = heard ? "站点麦克风：有声音" : "站点麦克风：无声音";
      audioLevel.dataset.heard = heard ? "yes" : "no";
    }, 1000);
  }

  // Video: the browser offers once ICE gathering is complete (candidates inside the SDP, as
  // aiortc on the kiosk expects); the hall forwards signalling only after the walk-in consented.
  async function startVideo() {
    videoButton.disabled = true;
    if (pc) pc.close();
    pc = new RTCPeerConnection({ iceServers: [] });
    const peer = pc;
    peer.addEventListener("connectionstatechange", () => {
      videoState.textContent = VIDEO_STATES[peer.connectionState] || peer.connectionState;
      videoState.dataset.state = peer.connectionState;
      videoState.className = `badge ${peer.connectionState === "connected" ? "state-confirmed" : ""}`;
      if (peer.connectionState === "connected") watchAudio(peer);
    });
    // The kiosk's picture and voice arrive as two tracks: one stream for the <video>.
    const remoteStream = new MediaStream();
    peer.addEventListener("track", (event) => {
      remoteStream.addTrack(event.track);
      remoteVideo.srcObject = remoteStream;
    });
    // The desk's camera and headset when it has them; without, the desk still receives.
    let stream = null;
    for (const wanted of [{ video: true, audio: true }, { video: true }, { audio: true }]) {
      try { stream = await navigator.mediaDevices.getUserMedia(wanted); break; } catch { /* next */ }
    }
    if (stream) {
      localVideo.srcObject = stream;
      for (const track of stream.getTracks()) peer.addTrack(track, stream);
    }
    for (const kind of ["video", "audio"]) {
      if (!stream || stream.getTracks().every((t) => t.kind !== kind)) {
        peer.addTransceiver(kind, { direction: "recvonly" });
      }
    }
    await peer.setLocalDescription(await peer.createOffer());
    if (peer.iceGatheringState !== "complete") {
      await new Promise((resolve) => {
        peer.addEventListener("icegatheringstatechange", () => {
          if (peer.iceGatheringState === "complete") resolve();
        });
      });
    }
    send("rtc_offer", { sdp: peer.localDescription.sdp });
    videoState.textContent = "等待站点应答";
  }
  videoButton.addEventListener("click", () => { startVideo(); });

  function send(type, body) {
    state.outSeq += 1;
    const frame = JSON.stringify({ type, v: VERSION, seq: state.outSeq, body });
    state.unacked.push([state.outSeq, frame]);
    if (state.unacked.length > 500) state.unacked.shift();
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(frame);
  }

  function renderForm() {
    const snap = state.snapshot;
    consentBadge.textContent = state.consent ? "群众已授权查看内容" : "群众未授权查看内容";
    consentBadge.className = `badge ${state.consent ? "state-confirmed" : "late"}`;
    proposeSubmit.disabled = !state.consent || state.ended;
    videoButton.disabled = !state.consent || state.ended || (pc !== null && pc.connectionState !== "closed" && pc.connectionState !== "failed");
    if (!snap) return;
    document.getElementById("assist-service").textContent = snap.service_name || snap.service_id || "（尚未选择事项）";
    formBody.replaceChildren(...snap.fields.map((f) => {
      // A choice field shows the walk-in's wording and is proposed from its options, so the
      // helper never has to know that "有限责任公司" is submitted as "llc".
      const options = (snap.choices || {})[f.name];
      const labelOf = (value) => (options ? (options.find(([v]) => v === value) || [value, value])[1] : value);
      const input = options
        ? h("select", { class: "propose-input", "data-field": f.name },
          h("option", { value: "" }, "请选择…"),
          ...options.map(([value, label]) => h("option", { value }, label)))
        : h("input", { class: "propose-input", "data-field": f.name, placeholder: "建议填写内容" });
      const shown = snap.masked
        ? h("span", { class: "masked" }, f.by ? "●●●●（已填写，内容已遮蔽）" : "（未填写）")
        : h("span", { class: "value" }, f.value ? labelOf(f.value) : "（未填写）");
      return h("tr", { class: "assist-field", "data-field": f.name },
        h("td", {}, f.label),
        h("td", {}, shown),
        h("td", {}, h("span", { class: `badge ${f.by === "helper" ? "state-replied" : ""}` }, BY[f.by] || "")),
        h("td", {}, h("div", { class: "field-actions" },
          input,
          h("button", {
            // Before consent the hall refuses proposals and photo requests: say so up front.
            type: "button", class: "propose", disabled: !state.consent || state.ended,
            onclick: () => {
              if (options && !input.value) { toast("请先选择一项"); return; }
              send("field_proposed", { name: f.name, value: input.value });
              toast(`已向群众提交「${f.label}」的建议`);
            },
          }, "建议填写"),
          h("button", {
            type: "button", class: "highlight",
            onclick: () => send("highlight_field", { name: f.name }),
          }, "提示此项"))));
    }));
    materialsList.replaceChildren(...(snap.materials || []).map((m) => h("div", { class: "material", "data-material": m.id },
      h("span", {}, `${m.label}${m.captured ? "（已拍摄）" : ""}`),
      h("button", {
        type: "button", class: "capture-request", disabled: !state.consent || state.ended,
        onclick: () => { send("capture_requested", { material_id: m.id }); toast(`已请群众拍摄「${m.label}」`); },
      }, "请群众拍摄"),
      state.captures[m.id] && state.consent
        ? h("img", { class: "capture", alt: m.label, src: state.captures[m.id] })
        : null)));
  }

  function addChat(sender, text) {
    chatLog.append(h("li", { class: `chat-${sender}` },
      h("span", { class: "when" }, sender === "helper" ? "我：" : "群众："), text));
  }

  function handle(message) {
    const { type, body } = message;
    if (type === "form_snapshot") {
      state.snapshot = body;
    } else if (type === "field_changed" && state.snapshot) {
      const row = state.snapshot.fields.find((f) => f.name === body.name);
      if (row) Object.assign(row, { value: body.value, by: body.by });
    } else if (type === "consent_granted") {
      state.consent = true;
      statusLine.textContent = "群众已同意您查看表单内容";
    } else if (type === "consent_revoked") {
      state.consent = false;
      statusLine.textContent = "群众已撤回授权，表单内容已遮蔽";
    } else if (type === "chat") {
      addChat(body.sender, body.text);
    } else if (type === "frame_refused") {
      toast(REFUSED[body.reason] || `操作未执行（${body.reason}）`, "error");
    } else if (type === "capture_attached") {
      state.captures[body.material_id] =
        `/api/v1/assist/sessions/${encodeURIComponent(sessionId)}/captures/${encodeURIComponent(body.material_id)}?v=${body.sha256}`;
    } else if (type === "submit_confirmed") {
      submitState.textContent = "群众已确认提交";
    } else if (type === "submit_declined") {
      submitState.textContent = body.reason === "form_incomplete"
        ? "表单尚不完整，群众无法提交" : "群众暂不提交";
    } else if (type === "rtc_answer" && pc) {
      pc.setRemoteDescription({ type: "answer", sdp: body.sdp });
    } else if (type === "end") {
      state.ended = true;
      if (pc) pc.close();
      statusLine.textContent = `帮办已结束：${END_REASONS[body.reason] || body.reason}`;
      for (const button of view.querySelectorAll("button:not(.back-to-queue)")) button.disabled = true;
    }
    renderForm();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/assist/helper`);
    state.ws = ws;
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ type: "resume", v: VERSION, seq: 0, body: { session_id: sessionId, last_seq: state.lastSeq } }));
    });
    ws.addEventListener("message", (event) => {
      if (!document.body.contains(statusLine)) { ws.close(); return; }  // the page was left
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message.type === "resumed") {
        // The hall holds our frames up to last_seq: re-send only what came after.
        state.outSeq = Math.max(state.outSeq, message.body.last_seq);
        state.unacked = state.unacked.filter(([seq]) => seq > message.body.last_seq);
        for (const [, frame] of state.unacked) ws.send(frame);
        statusLine.textContent = state.consent ? "群众已同意您查看表单内容" : "已接通，等待群众授权查看表单内容";
        return;
      }
      if (message.seq > 0) {
        if (message.seq <= state.lastSeq) return;  // replayed, already shown
        state.lastSeq = message.seq;
      }
      handle(message);
    });
    ws.addEventListener("close", (event) => {
      if (!document.body.contains(statusLine)) { if (pc) pc.close(); return; }
      if (state.ws !== ws || state.ended) return;
      if (event.code === 4404 || event.code === 4401) {
        state.ended = true;
        statusLine.textContent = "无法进入该帮办会话（不存在、已结束或不是您接听的）";
        return;
      }
      statusLine.textContent = "连接中断，正在重连…";
      setTimeout(connect, 1000);
    });
  }

  const chatForm = h("form", { class: "row", id: "assist-chat-form" }, chatInput,
    h("button", { type: "submit", id: "assist-chat-send" }, "发送"));
  chatForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = chatInput.value.trim();
    if (!text) return;
    send("chat", { sender: "helper", text });
    addChat("helper", text);
    chatInput.value = "";
  });
  const guidanceForm = h("form", { class: "row", id: "assist-guidance-form" }, guidanceInput,
    h("button", { type: "submit" }, "显示提示"));
  guidanceForm.addEventListener("submit", (event) => {
    event.preventDefault();
    send("guidance", { text: guidanceInput.value.trim() });
    toast("提示已显示在站点屏幕上");
  });

  view.append(
    h("div", { class: "back" }, h("a", { href: "#/assist", class: "back-to-queue" }, "← 返回排队列表")),
    h("div", { class: "demand-title" }, h("h1", {}, "远程帮办 · ", h("span", { id: "assist-service" }, "")), consentBadge),
    statusLine,
    h("div", { class: "assist-grid" },
      h("div", {},
        h("div", { class: "card" },
          h("h2", {}, "群众看到的表单"),
          h("table", { id: "assist-form" },
            h("thead", {}, h("tr", {}, h("th", {}, "栏目"), h("th", {}, "内容"), h("th", {}, "填写人"), h("th", {}, "帮办操作"))),
            formBody)),
        h("div", { class: "card" }, h("h2", {}, "材料拍摄"), materialsList)),
      h("div", {},
        h("div", { class: "card video" },
          h("h2", {}, "视频通话 ", videoState, " ", audioLevel),
          h("div", { class: "videos" }, remoteVideo, localVideo),
          h("div", { class: "actions" }, videoButton)),
        h("div", { class: "card" }, h("h2", {}, "与群众交流"), chatLog, chatForm),
        h("div", { class: "card" }, h("h2", {}, "屏幕提示"), guidanceForm),
        h("div", { class: "card" },
          h("h2", {}, "提交与结束"),
          h("p", { class: "sub" }, "提交须由群众在站点屏幕上亲自确认。"),
          h("div", { class: "actions" },
            proposeSubmit,
            h("button", {
              type: "button", id: "assist-end",
              onclick: () => { send("end", { reason: "helper_ended" }); },
            }, "结束帮办")),
          submitState))),
  );
  renderForm();
  connect();
}
