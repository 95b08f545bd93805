#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers of build-aux/run-demo.

  demo-feed-webhooks.py ORTHANC_URL USER PASSWORD SERVER_URL SECRET COUNT
      Waits until Orthanc holds COUNT stable studies, then posts for each the
      signed webhook of docs/radiweb-api.md to radiweb-server, as the Orthanc
      plugin does once it is installed.
  demo-feed-webhooks.py --login SERVER_URL USERNAME PASSWORD
      Prints a session token for the demo user (to store in the keyring).
  demo-feed-webhooks.py --prioritize SERVER_URL ADMIN PASSWORD
      Marks two of the exams stat and urgent, as a referring physician's
      call would, so the demo shows how they stand out."""
import base64
import datetime
import hashlib
import hmac
import json
import sys
import time
import urllib.request


def http(method, url, body=None, headers=None, auth=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def get_token(server, username, password):
    body = json.dumps({"username": username, "password": password}).encode()
    answer = http("POST", f"{server}/api/auth/login", body, {"Content-Type": "application/json"})
    return answer["token"]


def login(server, username, password):
    print(get_token(server, username, password))


def prioritize(server, username, password):
    token = get_token(server, username, password)
    bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    exams = http("GET", f"{server}/api/exams?status=pending&limit=10", headers=bearer)["exams"]
    for exam, priority in zip(exams[1::4], ("stat", "urgent", "urgent")):
        body = json.dumps({"priority": priority}).encode()
        http("PATCH", f"{server}/api/exams/{exam['id']}", body, bearer)
    http("POST", f"{server}/api/auth/logout", headers=bearer)


def digits(value, n):
    value = "".join(c for c in (value or "") if c.isdigit())
    return value[:n] if len(value) >= n else ""


def feed(orthanc, user, password, server, secret, count):
    auth = (user, password)
    deadline = time.time() + 120
    # StableStudy comes StableAge seconds after a study's last instance.
    while True:
        stable = set()
        since = 0
        while True:
            changes = http("GET", f"{orthanc}/changes?since={since}&limit=1000", auth=auth)
            stable.update(c["ID"] for c in changes["Changes"] if c["ChangeType"] == "StableStudy")
            since = changes["Last"]
            if changes["Done"]:
                break
        if len(stable) >= count or time.time() > deadline:
            break
        time.sleep(1)

    for study_id in sorted(stable):
        study = http("GET", f"{orthanc}/studies/{study_id}", auth=auth)
        series = http("GET", f"{orthanc}/studies/{study_id}/series", auth=auth)
        tags = study.get("MainDicomTags", {})
        patient = study.get("PatientMainDicomTags", {})
        shared = http("GET", f"{orthanc}/studies/{study_id}/shared-tags?simplify", auth=auth)
        modalities = sorted({s["MainDicomTags"].get("Modality", "") for s in series} - {""})
        uid = tags.get("StudyInstanceUID", "")
        payload = {
            "event": "study_received",
            "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "orthanc_url": orthanc,
            "study": {
                "orthanc_id": study_id,
                "study_uid": uid,
                "study_date": digits(tags.get("StudyDate"), 8),
                "study_time": digits(tags.get("StudyTime"), 6),
                "study_description": tags.get("StudyDescription", ""),
                "accession_number": tags.get("AccessionNumber", ""),
                "referring_physician": tags.get("ReferringPhysicianName", ""),
                "modality": modalities[0] if modalities else "",
                "series_count": len(series),
                "instance_count": sum(len(s.get("Instances", [])) for s in series),
            },
            "patient": {
                "patient_id": patient.get("PatientID", ""),
                "patient_name": patient.get("PatientName", ""),
                "patient_birth_date": digits(patient.get("PatientBirthDate"), 8),
                "patient_sex": patient.get("PatientSex", ""),
                "patient_age": shared.get("PatientAge", ""),
            },
            "urls": {
                "stone_viewer": f"{orthanc}/stone-webviewer/index.html?study={uid}",
                "dicom_web": f"{orthanc}/dicom-web/studies/{uid}",
                "rest_api": f"{orthanc}/studies/{study_id}",
            },
        }
        body = json.dumps(payload).encode()
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        http("POST", f"{server}/webhook/dicom", body, {
            "Content-Type": "application/json",
            "X-Webhook-Signature": f"sha256={signature}",
            "X-Webhook-Id": f"demo-{study_id}",
        })
    print(f"run-demo: {len(stable)} studies announced to radiweb-server")


if __name__ == "__main__":
    if sys.argv[1] == "--login":
        login(*sys.argv[2:5])
    elif sys.argv[1] == "--prioritize":
        prioritize(*sys.argv[2:5])
    else:
        feed(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
