#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What build-aux/run-demo asks of the demo's radiweb-server.

  demo-server.py login SERVER_URL USERNAME PASSWORD
      Prints a session token for the demo user (to store in the keyring).
  demo-server.py prioritize SERVER_URL ADMIN PASSWORD COUNT
      Waits until the server lists COUNT pending exams (the Orthanc plugin
      announces each study once Orthanc marks it stable), then marks some
      of them stat and urgent, as a referring physician's call would, so the
      demo shows how they stand out."""
import json
import sys
import time
import urllib.request


def http(method, url, body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def get_token(server, username, password):
    body = json.dumps({"username": username, "password": password}).encode()
    answer = http("POST", f"{server}/api/auth/login", body, {"Content-Type": "application/json"})
    return answer["token"]


def login(server, username, password):
    print(get_token(server, username, password))


def prioritize(server, username, password, count):
    token = get_token(server, username, password)
    bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    deadline = time.time() + 120
    while True:
        exams = http("GET", f"{server}/api/exams?status=pending&limit=1000", headers=bearer)["exams"]
        if len(exams) >= count:
            break
        if time.time() > deadline:
            print(f"run-demo: only {len(exams)} of {count} studies reached radiweb-server",
                  file=sys.stderr)
            break
        time.sleep(0.5)
    print(f"run-demo: {len(exams)} studies announced to radiweb-server by the Orthanc plugin")
    for exam, priority in zip(exams[1::4], ("stat", "urgent", "urgent")):
        body = json.dumps({"priority": priority}).encode()
        http("PATCH", f"{server}/api/exams/{exam['id']}", body, bearer)
    http("POST", f"{server}/api/auth/logout", headers=bearer)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "login":
        login(*sys.argv[2:5])
    elif len(sys.argv) == 6 and sys.argv[1] == "prioritize":
        prioritize(*sys.argv[2:5], int(sys.argv[5]))
    else:
        sys.exit(__doc__)
