"""The SMSC simulator that ships with the hall, as the printer simulator ships with the kiosk.

A real SMPP 3.4 server on 127.0.0.1 (:mod:`hall.smsc_sim.server`, codec in
:mod:`hall.smsc_sim.pdu`): it binds ESMEs, takes ``submit_sm``, stores each message decoded and
reassembled from its concatenated parts, answers ``enquire_link`` and ``unbind``, and sends a
delivery receipt (``deliver_sm``) for every part, echoing the part's ``user_message_reference``,
until the ESME answers it (again on its next bind if it did not). It can be told to throttle,
drop the link, refuse a number, hold its answers to ``submit_sm`` or go down for a while, so
the hall's real SMPP path runs against every fault in tests, in the benchmark and in the demo
(``python -m hall.smsc_sim``; a JSON listing over HTTP).
"""
