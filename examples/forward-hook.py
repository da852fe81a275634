#!/usr/bin/env python3
# The cheapest hook: answers "forward" for every frame. What a hook costs, measured with
#   msnscope bench-proxy --workload mix --hook 'python3 examples/forward-hook.py'
import json, sys

for question in sys.stdin:
    print(json.dumps({"id": json.loads(question)["id"], "action": "forward"}), flush=True)
