# SPDX-License-Identifier: GPL-3.0-or-later
"""The seed's webhook receiver, as a reference for build-aux/bench-webhook.

The integration guide (docs/guia-de-integracao.md, webhook_handler.py)
receives Orthanc's webhook with Flask, run by gunicorn. This is that
handler completed to do the work radiweb-server does for each webhook, so
that the two can be timed side by side: check the HMAC-SHA256 signature over
the raw body in constant time, parse and validate the JSON, refuse a stale
timestamp, answer a repeated X-Webhook-Id with its first answer, and upsert
the patient and the exam into SQLite in one transaction committed durably
(WAL, synchronous=FULL) before answering. It writes into radiweb-server's
own schema (build-aux/bench-webhook creates the database with the server's
migrations), search index included, so both store the same rows.
(radiweb-server also builds the /api/events frame of each exam; this does
not.)

Configured by the environment: RW_BENCH_SECRET, RW_BENCH_DB,
RW_BENCH_TOLERANCE (seconds).
"""
import datetime
import hashlib
import hmac
import json
import os
import sqlite3
import time
import unicodedata

from flask import Flask, jsonify, request

app = Flask(__name__)
SECRET = os.environ["RW_BENCH_SECRET"].encode()
DATABASE = os.environ["RW_BENCH_DB"]
TOLERANCE = int(os.environ.get("RW_BENCH_TOLERANCE", "300"))
MAX_BODY = 1024 * 1024

_connection = None


def connection():
    # One connection per gunicorn worker process.
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(DATABASE, isolation_level=None, timeout=30)
        _connection.execute("PRAGMA journal_mode = WAL")
        _connection.execute("PRAGMA synchronous = FULL")
        _connection.execute("PRAGMA foreign_keys = ON")
    return _connection


def fold(text):
    """rw_text_fold(): lowercase, accents off, DICOM ^ and runs of space as one space."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return " ".join(kept.replace("^", " ").lower().split())


def error(message, status):
    return jsonify({"error": message}), status


def dicom_date(value):
    if not value:
        return None
    return datetime.datetime.strptime(value, "%Y%m%d").strftime("%Y-%m-%d")


def dicom_time(value):
    if not value:
        return None
    return datetime.datetime.strptime(value[:6], "%H%M%S").strftime("%H:%M:%S")


def text(obj, key, required=False):
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise ValueError(f"“{key}” is missing")
        return None
    if not isinstance(value, str):
        raise ValueError(f"“{key}” must be a string")
    return value


def count(obj, key):
    value = obj.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"“{key}” must be a whole number")
    return value


@app.route("/webhook/dicom", methods=["POST"])
def handle_dicom_webhook():
    if request.content_length is not None and request.content_length > MAX_BODY:
        return error("The request body is too large", 413)
    if request.mimetype != "application/json":
        return error("The webhook body must be sent as Content-Type: application/json", 415)
    body = request.get_data()
    if len(body) > MAX_BODY:
        return error("The request body is too large", 413)

    # Verificar assinatura
    signature = request.headers.get("X-Webhook-Signature", "")
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return error("Invalid signature", 401)

    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("Expected a JSON object")
        event = text(data, "event", True)
        sent = datetime.datetime.fromisoformat(text(data, "timestamp", True).replace("Z", "+00:00"))
        if sent.tzinfo is None:
            raise ValueError("“timestamp” needs a zone")
    except ValueError as e:
        return error(f"Invalid webhook payload: {e}", 400)
    if abs(time.time() - sent.timestamp()) > TOLERANCE:
        return error("The webhook timestamp is too far from the server's clock", 401)
    if event != "study_received":
        return jsonify({"status": "ignored"})

    try:
        study = data["study"]
        patient = data["patient"]
        urls = data.get("urls") or {}
        if not isinstance(study, dict) or not isinstance(patient, dict) or not isinstance(urls, dict):
            raise ValueError("study, patient and urls must be objects")
        row = {
            "study_uid": text(study, "study_uid", True),
            "orthanc_id": text(study, "orthanc_id"),
            "accession_number": text(study, "accession_number"),
            "study_date": dicom_date(text(study, "study_date")),
            "study_time": dicom_time(text(study, "study_time")),
            "description": text(study, "study_description"),
            "referring_physician": text(study, "referring_physician"),
            "modality": (text(study, "modality") or "").upper() or None,
            "series_count": count(study, "series_count"),
            "instance_count": count(study, "instance_count"),
            "stone_viewer_url": text(urls, "stone_viewer"),
        }
        person = {
            "patient_id": text(patient, "patient_id", True),
            "name": text(patient, "patient_name"),
            "birth_date": dicom_date(text(patient, "patient_birth_date")),
            "sex": text(patient, "patient_sex"),
            "age": text(patient, "patient_age"),
        }
    except (KeyError, ValueError) as e:
        return error(f"Invalid webhook payload: {e}", 400)

    delivery = request.headers.get("X-Webhook-Id")
    now = int(time.time() * 1000000)
    db = connection()
    db.execute("BEGIN IMMEDIATE")
    try:
        if delivery is not None:
            stored = db.execute("SELECT response FROM webhook_deliveries WHERE delivery_id = ?",
                                (delivery,)).fetchone()
            if stored is not None:
                db.execute("COMMIT")
                return app.response_class(stored[0], mimetype="application/json")

        found = db.execute("SELECT id FROM patients WHERE patient_id = ?", (person["patient_id"],)).fetchone()
        if found is None:
            patient_ref = db.execute(
                "INSERT INTO patients (patient_id, name, birth_date, sex, age, created_at, updated_at)"
                " VALUES (:patient_id, :name, :birth_date, :sex, :age, :now, :now)",
                dict(person, now=now)).lastrowid
        else:
            patient_ref = found[0]
            db.execute("UPDATE patients SET name = coalesce (:name, name),"
                       " birth_date = coalesce (:birth_date, birth_date), sex = coalesce (:sex, sex),"
                       " age = coalesce (:age, age), updated_at = :now WHERE id = :id",
                       dict(person, now=now, id=patient_ref))

        values = dict(row, patient_ref=patient_ref, now=now, orthanc_url=text(data, "orthanc_url"),
                      dicom_web_url=text(urls, "dicom_web"), rest_api_url=text(urls, "rest_api"))
        found = db.execute("SELECT id FROM exams WHERE study_uid = ?", (row["study_uid"],)).fetchone()
        created = found is None
        if created:
            exam_id = db.execute(
                "INSERT INTO exams (patient_ref, study_uid, orthanc_id, accession_number, study_date,"
                " study_time, description, referring_physician, modality, series_count, instance_count,"
                " stone_viewer_url, orthanc_url, dicom_web_url, rest_api_url, received_at, updated_at)"
                " VALUES (:patient_ref, :study_uid, :orthanc_id, :accession_number, :study_date,"
                " :study_time, :description, :referring_physician, :modality, :series_count,"
                " :instance_count, :stone_viewer_url, :orthanc_url, :dicom_web_url, :rest_api_url, :now, :now)",
                values).lastrowid
        else:
            exam_id = found[0]
            db.execute("UPDATE exams SET patient_ref = :patient_ref, series_count = :series_count,"
                       " instance_count = :instance_count, description = coalesce (:description, description),"
                       " updated_at = :now WHERE id = :id", dict(values, id=exam_id))
            db.execute("DELETE FROM exam_search WHERE rowid = ?", (exam_id,))
        db.execute("INSERT INTO exam_search (rowid, folded) VALUES (?, ?)",
                   (exam_id, fold(" ".join(filter(None, (person["name"], person["patient_id"],
                                                         row["accession_number"], row["description"]))))))

        answer = json.dumps({"status": "success", "exam_id": exam_id, "created": created,
                             "message": "Exam created" if created else "Exam updated"})
        if delivery is not None:
            db.execute("INSERT INTO webhook_deliveries (delivery_id, response, received_at) VALUES (?, ?, ?)",
                       (delivery, answer, now))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return app.response_class(answer, mimetype="application/json")
