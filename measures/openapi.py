"""The OpenAPI 3.1 description of /api/v1, written by hand next to the views it describes."""

from __future__ import annotations

from typing import Any

PROBLEM = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


UPLOAD = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "url": {"type": "string", "format": "uri", "description": "Poll this for the status."},
        "page": {"type": ["string", "null"], "format": "uri"},
        "site": {"type": ["string", "null"]},
        "file": {"type": "string"},
        "sha256": {"type": "string"},
        "source": {"type": "string", "enum": ["web", "api", "cli", "demo", "hand"]},
        "status": {
            "type": "string",
            "enum": [
                "queued",
                "processing",
                "needs_mapping",
                "needs_confirmation",
                "done",
                "failed",
                "cancelled",
            ],
            "description": "needs_confirmation: the file would change stored figures, and "
            "nothing is stored until it is confirmed (POST confirm_url) or cancelled.",
        },
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "notice": {
            "type": ["string", "null"],
            "description": "Set while the upload is kept but the worker queue cannot be "
            "reached: it is read when the queue is back; do not send it again.",
        },
        "layout": {"type": ["string", "null"]},
        "frequency": {"type": ["string", "null"], "enum": ["weekly", "monthly", "unknown", None]},
        "counts": {
            "type": "object",
            "description": "Once done: values read, new, changed, unchanged; sites, measures, "
            "periods. A reader who may not see every site in the file gets only 'values' (read "
            "for their sites).",
            "additionalProperties": {"type": "integer"},
        },
        "problems": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Why the file was refused, one plain-English message per problem, "
            "naming file, sheet, row and column.",
        },
        "problem_details": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "file": {"type": "string"},
                    "sheet": {"type": ["string", "null"]},
                    "row": {"type": ["integer", "null"]},
                    "column": {"type": ["string", "null"]},
                    "reason": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "site": {"type": ["string", "null"], "description": "The row's site."},
                },
            },
        },
        "read_by_site": {
            "type": "array",
            "description": "Once done: what was read for each site the reader may see.",
            "items": {
                "type": "object",
                "properties": {
                    "site": {"type": "string"},
                    "measures": {"type": "array", "items": {"type": "string"}},
                    "periods": {"type": "integer"},
                    "first": {"type": "string", "format": "date"},
                    "last": {"type": "string", "format": "date"},
                    "values": {"type": "integer"},
                },
            },
        },
        "changes": {
            "type": "array",
            "description": "The first stored figures this upload replaced, for the sites the "
            "reader may see: before, after and the earlier upload.",
            "items": {"type": "object"},
        },
        "withheld": {
            "type": "object",
            "description": "What the report leaves out because it belongs to sites the reader "
            "may not see: how many sites, values, changes and problems.",
            "properties": {
                "sites": {"type": "integer"},
                "values": {"type": "integer"},
                "changes": {"type": "integer"},
                "problems": {"type": "integer"},
            },
        },
        "preview": {
            "type": ["object", "null"],
            "description": "While needs_confirmation: what confirming would change, for the "
            "sites the reader may see: changed, new and unchanged counts; per_measure (site, "
            "measure, weeks, values changed); largest (before, after, the earlier upload); "
            "earlier_uploads (where the stored values came from).",
            "properties": {
                "changed": {"type": "integer"},
                "new": {"type": ["integer", "null"]},
                "unchanged": {"type": ["integer", "null"]},
                "per_measure": {"type": "array", "items": {"type": "object"}},
                "largest": {"type": "array", "items": {"type": "object"}},
                "earlier_uploads": {"type": "array", "items": {"type": "object"}},
            },
        },
        "confirm_url": {"type": ["string", "null"], "format": "uri"},
        "unmapped": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Labels to map to measures on the upload's page (needs_mapping).",
        },
        "nothing_new": {"type": ["boolean", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
        "undone_at": {"type": ["string", "null"], "format": "date-time"},
    },
    "required": ["id", "url", "status", "progress", "problems"],
}

SERIES = {
    "type": "object",
    "properties": {
        "site": {"type": "string"},
        "measure": {"type": "string"},
        "name": {"type": "string"},
        "unit": {"type": "string"},
        "frequency": {"type": "string", "enum": ["weekly", "monthly"]},
        "points": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "week": {
                        "type": "string",
                        "format": "date",
                        "description": "The Monday of the week (weekly series).",
                    },
                    "month": {
                        "type": "string",
                        "format": "date",
                        "description": "The first day of the month (monthly series).",
                    },
                    "value": {"type": "number"},
                },
                "required": ["value"],
            },
        },
    },
    "required": ["site", "measure", "points"],
}

GROUPINGS = [
    "ethnic_group",
    "imd_quintile",
    "sex",
    "age_band",
    "thrive_grouping",
    "referral_source",
]

GROUPED_SERIES = {
    "type": "object",
    "description": "Weekly figures per group, with the same weeks and definitions as the "
    "ungrouped series, from record-level extracts that carry grouping columns. A figure below "
    "the programme's small-count threshold (a count, or a median of that few children) is "
    "sent as null with `suppressed` to readers who may not see small numbers (stakeholders).",
    "properties": {
        "site": {"type": "string"},
        "measure": {"type": "string"},
        "name": {"type": "string"},
        "unit": {"type": "string"},
        "frequency": {"type": "string", "enum": ["weekly"]},
        "by": {"type": "string", "enum": GROUPINGS},
        "groups": {
            "type": "object",
            "description": "By group label: ethnic_group White, Mixed, Asian, Black, Other, "
            "Not stated; imd_quintile 1 (most deprived) to 5, Not known; sex Male, Female, "
            "Indeterminate, Not known; age_band 0-4, 5-10, 11-15, 16-17, 18-25, Not known; "
            "thrive_grouping the five THRIVE groupings, Not known; referral_source GP, School, "
            "Self, Family, Health, A&E, Social care, Voluntary sector, Police or justice, Other, "
            "Not known.",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "points": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "week": {"type": "string", "format": "date"},
                                "value": {"type": ["number", "null"]},
                                "suppressed": {
                                    "type": "string",
                                    "description": 'e.g. "fewer than 5"',
                                },
                            },
                            "required": ["week", "value"],
                        },
                    }
                },
                "required": ["points"],
            },
        },
    },
    "required": ["site", "measure", "by", "groups"],
}

ENTRY_PROBLEM = {
    "type": "object",
    "properties": {
        "index": {"type": ["integer", "null"], "description": "Place in `values`, from 0."},
        "week": {"type": ["string", "null"], "format": "date"},
        "field": {"type": "string", "enum": ["week", "value", "values", "measure"]},
        "message": {"type": "string"},
    },
    "required": ["field", "message"],
}

VALUES_IN = {
    "type": "object",
    "properties": {
        "values": {
            "type": "array",
            "minItems": 1,
            "maxItems": 520,
            "items": {
                "type": "object",
                "properties": {
                    "week": {
                        "type": "string",
                        "format": "date",
                        "description": "The Monday the week starts; not after this week.",
                    },
                    "value": {"type": "number", "minimum": 0},
                },
                "required": ["week", "value"],
            },
        }
    },
    "required": ["values"],
}

VALUES_OUT = {
    "type": "object",
    "properties": {
        "site": {"type": "string"},
        "measure": {"type": "string"},
        "upload": {
            "oneOf": [{"$ref": "#/components/schemas/Upload"}, {"type": "null"}],
            "description": "The entry, kept like an upload (source hand): undo it on its page.",
        },
        "stored": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "week": {"type": "string", "format": "date"},
                    "value": {"type": "number"},
                    "before": {"type": ["number", "null"]},
                },
            },
        },
        "unchanged": {"type": "integer", "description": "Values equal to what was stored."},
    },
    "required": ["site", "measure", "stored", "unchanged"],
}


UPLOAD_ID = [{"name": "upload_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
SITE_MEASURE = [
    {
        "name": "site",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "Site code, e.g. NGT.",
    },
    {
        "name": "measure",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "Measure code, e.g. referrals_received.",
    },
]


def _decision(operation: str, summary: str, done: str, errors: dict) -> dict[str, Any]:
    return {
        "post": {
            "operationId": operation,
            "summary": summary,
            "parameters": UPLOAD_ID,
            "responses": {
                "202": {
                    "description": done,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Upload"}}
                    },
                },
                "409": _error("The upload is not waiting for confirmation."),
                **errors,
                "403": _error("Only the sender, or whoever may upload for every site in it."),
            },
        }
    }


def openapi_document(*, server: str = "/api/v1") -> dict[str, Any]:
    auth_errors = {
        "401": _error("No valid token or session."),
        "403": _error("Your role on the site does not allow this."),
        "404": _error("No such site, upload or measure (or you may not see it)."),
        "500": _error("An error of the server; it is logged. Try again later."),
        "503": _error(
            "The database cannot be reached just now; try again after Retry-After seconds."
        ),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "THRIVE Tracker API",
            "version": "1.0.0",
            "description": "Push weekly extracts and read the stored figures. Authenticate "
            "with 'Authorization: Bearer <token>' (create a token on your account page) or a "
            "signed-in session (POSTs then need the CSRF token). The same role checks apply "
            "as on the pages: informatics staff upload for their sites; programme leads for "
            "every site of their programme; project managers and informatics staff enter "
            "weekly figures by hand for their sites.",
        },
        "servers": [{"url": server}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/uploads": {
                "post": {
                    "operationId": "uploadCreate",
                    "summary": "Send an extract (CSV, .xlsx or .xls) for a site",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "file": {
                                            "type": "string",
                                            "contentMediaType": "application/octet-stream",
                                        },
                                        "site": {"type": "string", "examples": ["NGT"]},
                                        "replace": {
                                            "type": "string",
                                            "enum": ["true", "false"],
                                            "description": "true: replace stored figures "
                                            "without stopping at a preview.",
                                        },
                                    },
                                    "required": ["file", "site"],
                                }
                            }
                        },
                    },
                    "responses": {
                        "202": {
                            "description": "Accepted: the file is stored and queued. Poll "
                            "`url` until `status` is done, failed or needs_mapping.",
                            "headers": {
                                "Location": {
                                    "schema": {"type": "string", "format": "uri"},
                                    "description": "The upload's URL.",
                                }
                            },
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Upload"}
                                }
                            },
                        },
                        "400": _error("No file or site, or the file type is not allowed."),
                        "413": _error("The file is larger than the upload limit."),
                        **auth_errors,
                    },
                }
            },
            "/uploads/{upload_id}": {
                "get": {
                    "operationId": "uploadDetail",
                    "summary": "An upload's status, counts and problems",
                    "parameters": UPLOAD_ID,
                    "responses": {
                        "200": {
                            "description": "The upload.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Upload"}
                                }
                            },
                        },
                        **auth_errors,
                    },
                }
            },
            "/uploads/{upload_id}/confirm": _decision(
                "uploadConfirm",
                "Replace the stored figures an upload's preview lists",
                "Confirmed: the file is read again and stored; poll `url`.",
                auth_errors,
            ),
            "/uploads/{upload_id}/cancel": _decision(
                "uploadCancel",
                "Cancel an upload waiting for confirmation: nothing is stored",
                "Cancelled.",
                auth_errors,
            ),
            "/sites/{site}/measures/{measure}/values": {
                "post": {
                    "operationId": "valuesCreate",
                    "summary": "Weekly figures entered by hand (project managers, informatics "
                    "staff and programme leads)",
                    "parameters": SITE_MEASURE,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": VALUES_IN}},
                    },
                    "responses": {
                        "201": {
                            "description": "Stored: what changed, and the entry's upload.",
                            "content": {"application/json": {"schema": VALUES_OUT}},
                        },
                        "200": {
                            "description": "Every value was already stored: nothing changed.",
                            "content": {"application/json": {"schema": VALUES_OUT}},
                        },
                        "400": {
                            "description": "Nothing was stored: every problem is listed.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "detail": {"type": "string"},
                                            "problems": {
                                                "type": "array",
                                                "items": ENTRY_PROBLEM,
                                            },
                                        },
                                        "required": ["detail"],
                                    }
                                }
                            },
                        },
                        **auth_errors,
                    },
                }
            },
            "/sites/{site}/measures/{measure}/series": {
                "get": {
                    "operationId": "series",
                    "summary": "The stored values of one measure at one site",
                    "parameters": [
                        *SITE_MEASURE,
                        {
                            "name": "frequency",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["weekly", "monthly"]},
                        },
                        {
                            "name": "by",
                            "in": "query",
                            "required": False,
                            "description": "Figures per group of this grouping (weekly only).",
                            "schema": {"type": "string", "enum": GROUPINGS},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The values in date order; with `by`, per group.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "anyOf": [
                                            {"$ref": "#/components/schemas/Series"},
                                            {"$ref": "#/components/schemas/GroupedSeries"},
                                        ]
                                    }
                                }
                            },
                        },
                        "400": _error("Unknown frequency or grouping, or a monthly grouping."),
                        **auth_errors,
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This description",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1 document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            },
            "schemas": {
                "Upload": UPLOAD,
                "Series": SERIES,
                "GroupedSeries": GROUPED_SERIES,
                "Error": PROBLEM,
            },
        },
    }
