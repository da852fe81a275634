#!/usr/bin/env python3
"""An msnscope hook: shouts every chat message the client receives, and drops every QNG (ping answer).

msnscope writes one JSON object per frame to our standard input, one per line (the `dissect --format jsonl`
fields plus "id" and "connection"), and waits for one answer line per "id" on our standard output.
Run it:  msnscope proxy --upstream HOST:PORT --hook 'python3 examples/hook.py' --hook-filter 'cmd:MSG OR cmd:QNG'
"""
import json
import sys

sys.stdin.reconfigure(encoding="utf-8")     # frames are UTF-8 whatever the locale says
for line in sys.stdin:                      # one frame per line, until msnscope closes our input
    frame = json.loads(line)
    answer = {"id": frame["id"], "action": "forward"}        # every answer names the frame it is for
    if frame["cmd"] == "QNG":
        answer["action"] = "drop"                            # the client never hears the ping answered
    elif frame["cmd"] == "MSG" and frame["dir"] == "S2C" and frame["payload"]:   # payload is null if binary
        head, blank, body = frame["payload"].partition("\r\n\r\n")   # MIME headers, blank line, body
        if blank and "Content-Type: text/plain" in head:             # chat text, not typing notices
            answer["action"] = "replace"                             # msnscope recomputes the length
            answer["payload"] = head + blank + body.upper()
    print(json.dumps(answer), flush=True)   # flush: msnscope waits for this line (1 s at most)
