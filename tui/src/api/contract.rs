//! What the console relies on in the API, as data for `tests/contract.rs`: every call it makes
//! and every field of [`types`](super::types) it reads or writes.

/// Every call the console makes, for the contract test: (method, path template, request
/// schema, response schema). Paths are relative to /api/v1.
pub const CALLS: &[(&str, &str, Option<&str>, Option<&str>)] = &[
    (
        "post",
        "/auth/sign-in",
        Some("SignInRequest"),
        Some("SignInResponse"),
    ),
    ("post", "/auth/sign-out", None, None),
    (
        "post",
        "/auth/password",
        Some("ChangePasswordRequest"),
        None,
    ),
    ("get", "/me", None, Some("Me")),
    ("get", "/platform/provinces", None, None),
    ("get", "/platform/tenants", None, Some("TenantPage")),
    (
        "post",
        "/platform/tenants",
        Some("CreateTenantRequest"),
        Some("TenantCreated"),
    ),
    ("get", "/platform/tenants/{id}", None, Some("TenantView")),
    (
        "post",
        "/platform/tenants/{id}/suspend",
        None,
        Some("TenantView"),
    ),
    (
        "post",
        "/platform/tenants/{id}/reactivate",
        None,
        Some("TenantView"),
    ),
    ("get", "/org-units", None, Some("OrgUnitPage")),
    ("post", "/members/import", None, Some("ImportReport")),
    ("get", "/import-mappings", None, Some("MappingList")),
    (
        "post",
        "/import-mappings",
        Some("MappingRequest"),
        Some("MappingView"),
    ),
    ("get", "/import-mappings/{id}", None, Some("MappingView")),
    (
        "put",
        "/import-mappings/{id}",
        Some("MappingRequest"),
        Some("MappingView"),
    ),
    ("get", "/grids", None, Some("GridPage")),
    (
        "post",
        "/grids",
        Some("CreateGridRequest"),
        Some("GridView"),
    ),
    ("get", "/grids/{id}", None, Some("GridView")),
    (
        "patch",
        "/grids/{id}",
        Some("UpdateGridRequest"),
        Some("GridView"),
    ),
    (
        "post",
        "/grids/{id}/townships",
        Some("AssignTownshipRequest"),
        Some("GridView"),
    ),
    (
        "delete",
        "/grids/{id}/townships/{township_id}",
        None,
        Some("GridView"),
    ),
    ("get", "/qq-groups", None, Some("QqGroupPage")),
    ("get", "/qq-groups/{id}/roster", None, Some("RosterPage")),
    (
        "post",
        "/qq-groups/{id}/snapshots",
        Some("PasteImportRequest"),
        Some("ImportResult"),
    ),
    (
        "post",
        "/qq-groups/{id}/snapshots/file",
        None,
        Some("ImportResult"),
    ),
    (
        "get",
        "/qq-groups/{id}/snapshots",
        None,
        Some("SnapshotPage"),
    ),
    (
        "get",
        "/qq-groups/{id}/snapshots/{snapshot_id}",
        None,
        Some("SnapshotDetail"),
    ),
    ("get", "/qq-groups/{id}/late", None, Some("LateReport")),
    ("get", "/qq-groups/{id}/history", None, Some("HistoryPage")),
    ("get", "/privacy/masking-policy", None, Some("PolicyMatrix")),
    (
        "put",
        "/privacy/masking-policy",
        Some("SetPolicyRequest"),
        Some("PolicyMatrix"),
    ),
    ("get", "/member-exports", None, Some("ExportPage")),
    (
        "post",
        "/member-exports/{id}/approve",
        Some("DecisionRequest"),
        Some("ExportView"),
    ),
    (
        "post",
        "/member-exports/{id}/deny",
        Some("DecisionRequest"),
        Some("ExportView"),
    ),
    ("get", "/audit", None, Some("AuditPage")),
    ("get", "/audit/verify", None, Some("ChainCheck")),
    ("get", "/users", None, Some("UserPage")),
    (
        "post",
        "/users",
        Some("CreateUserRequest"),
        Some("UserCreated"),
    ),
    ("get", "/users/{id}", None, Some("UserView")),
    (
        "patch",
        "/users/{id}",
        Some("UpdateUserRequest"),
        Some("UserView"),
    ),
    (
        "post",
        "/users/{id}/password-reset",
        None,
        Some("OneTimeCredential"),
    ),
    ("post", "/users/{id}/sessions/revoke", None, None),
    ("get", "/events", None, Some("Event")),
    ("get", "/deadlines", None, Some("Dashboard")),
];

/// For the contract test: each type of [`types`](super::types), the schema it stands for, and
/// the JSON fields the console reads or writes with their JSON types (`string`, `integer`,
/// `boolean`, `array`, `object` for a nested schema). Keep in step with the structs.
pub const FIELDS: &[(&str, &[(&str, &str)])] = &[
    (
        "ImportReport",
        &[
            ("dry_run", "boolean"),
            ("rows", "integer"),
            ("created", "integer"),
            ("updated", "integer"),
            ("unchanged", "integer"),
            ("errors", "array"),
            ("more_errors", "integer"),
            ("import_id", "string"),
            ("layout", "object"),
            ("normalised", "array"),
            ("unknown_org_names", "array"),
        ],
    ),
    (
        "RowError",
        &[
            ("row", "integer"),
            ("column", "string"),
            ("message", "string"),
            ("message_en", "string"),
        ],
    ),
    (
        "ImportLayout",
        &[
            ("sheet", "string"),
            ("header_row", "integer"),
            ("unmapped_columns", "array"),
            ("skipped", "array"),
        ],
    ),
    ("SkippedRow", &[("row", "integer"), ("reason", "string")]),
    (
        "Normalisation",
        &[
            ("count", "integer"),
            ("message", "string"),
            ("message_en", "string"),
        ],
    ),
    (
        "UnknownOrgName",
        &[
            ("name", "string"),
            ("column", "string"),
            ("row_count", "integer"),
            ("suggestions", "array"),
        ],
    ),
    ("UnitSuggestion", &[("id", "string"), ("name", "string")]),
    (
        "MappingView",
        &[
            ("id", "string"),
            ("name", "string"),
            ("columns", "object"),
            ("org_names", "object"),
        ],
    ),
    (
        "MappingRequest",
        &[
            ("name", "string"),
            ("columns", "object"),
            ("org_names", "object"),
        ],
    ),
    ("MappingList", &[("items", "array")]),
    (
        "Problem",
        &[
            ("status", "integer"),
            ("code", "string"),
            ("detail", "string"),
            ("detail_en", "string"),
            ("errors", "array"),
            ("request_id", "string"),
        ],
    ),
    (
        "FieldError",
        &[
            ("field", "string"),
            ("code", "string"),
            ("message", "string"),
            ("message_en", "string"),
        ],
    ),
    (
        "SignInRequest",
        &[
            ("tenant_code", "string"),
            ("username", "string"),
            ("password", "string"),
            ("totp_code", "string"),
        ],
    ),
    (
        "SignInResponse",
        &[("token", "string"), ("must_change_password", "boolean")],
    ),
    (
        "ChangePasswordRequest",
        &[("current_password", "string"), ("new_password", "string")],
    ),
    (
        "Me",
        &[
            ("user_id", "string"),
            ("username", "string"),
            ("display_name", "string"),
            ("role", "object"),
            ("role_label", "string"),
            ("tenant_code", "string"),
            ("tenant_name", "string"),
            ("province_code", "string"),
            ("must_change_password", "boolean"),
        ],
    ),
    ("Province", &[("code", "string"), ("name", "string")]),
    (
        "TenantView",
        &[
            ("id", "string"),
            ("code", "string"),
            ("name", "string"),
            ("province_code", "string"),
            ("status", "object"),
            ("created_at", "string"),
        ],
    ),
    (
        "CreateTenantRequest",
        &[
            ("code", "string"),
            ("name", "string"),
            ("admin_username", "string"),
            ("admin_display_name", "string"),
        ],
    ),
    (
        "OneTimeCredential",
        &[("username", "string"), ("one_time_password", "string")],
    ),
    (
        "TenantCreated",
        &[("tenant", "object"), ("admin", "object")],
    ),
    (
        "OrgUnitView",
        &[
            ("id", "string"),
            ("kind", "object"),
            ("name", "string"),
            ("parent_id", "string"),
            ("active", "boolean"),
        ],
    ),
    ("GridTownship", &[("township_id", "string")]),
    (
        "GridView",
        &[
            ("id", "string"),
            ("name", "string"),
            ("aic_office_id", "string"),
            ("party_branch_id", "string"),
            ("townships", "array"),
        ],
    ),
    (
        "CreateGridRequest",
        &[
            ("name", "string"),
            ("aic_office_id", "string"),
            ("party_branch_id", "string"),
        ],
    ),
    (
        "UpdateGridRequest",
        &[("name", "string"), ("party_branch_id", "string")],
    ),
    ("AssignTownshipRequest", &[("township_id", "string")]),
    (
        "QqGroupView",
        &[
            ("id", "string"),
            ("name", "string"),
            ("grid_id", "string"),
            ("active", "boolean"),
        ],
    ),
    (
        "RosterEntryView",
        &[
            ("id", "string"),
            ("real_name", "string"),
            ("role", "object"),
            ("org_unit_id", "string"),
            ("qq_masked", "string"),
            ("joined_on", "string"),
            ("verified", "boolean"),
        ],
    ),
    ("PasteImportRequest", &[("text", "string")]),
    (
        "UnknownPerson",
        &[
            ("line", "integer"),
            ("qq_masked", "string"),
            ("nickname", "string"),
        ],
    ),
    (
        "RosterDiff",
        &[
            ("people", "integer"),
            ("matched", "integer"),
            ("missing", "array"),
            ("missing_organisers", "integer"),
            ("unknown", "array"),
            ("unverified", "array"),
        ],
    ),
    (
        "SnapshotView",
        &[
            ("id", "string"),
            ("taken_on", "string"),
            ("source", "object"),
            ("people", "integer"),
            ("matched", "integer"),
            ("missing", "integer"),
            ("unknown", "integer"),
            ("unverified", "integer"),
        ],
    ),
    (
        "ImportResult",
        &[("snapshot", "object"), ("diff", "object")],
    ),
    (
        "SnapshotDetail",
        &[("snapshot", "object"), ("diff", "object")],
    ),
    (
        "LateEntry",
        &[
            ("entry", "object"),
            ("status", "object"),
            ("days_late", "integer"),
        ],
    ),
    (
        "LateReport",
        &[("as_of", "string"), ("due", "string"), ("items", "array")],
    ),
    (
        "HistoryEntry",
        &[
            ("at", "string"),
            ("actor_id", "string"),
            ("action", "string"),
        ],
    ),
    (
        "PolicyEntry",
        &[
            ("role", "object"),
            ("field", "object"),
            ("visibility", "object"),
        ],
    ),
    ("PolicyMatrix", &[("entries", "array")]),
    ("SetPolicyRequest", &[("entries", "array")]),
    (
        "ExportView",
        &[
            ("id", "string"),
            ("requested_by", "string"),
            ("requested_at", "string"),
            ("reason", "string"),
            ("personal", "boolean"),
            ("status", "object"),
            ("row_count", "integer"),
        ],
    ),
    ("DecisionRequest", &[("note", "string")]),
    (
        "AuditEntry",
        &[
            ("seq", "integer"),
            ("at", "string"),
            ("actor_id", "string"),
            ("actor_role", "string"),
            ("action", "string"),
            ("entity", "string"),
            ("entity_id", "string"),
            ("reason", "string"),
        ],
    ),
    (
        "ChainCheck",
        &[
            ("intact", "boolean"),
            ("entries", "integer"),
            ("first_broken_seq", "integer"),
        ],
    ),
    (
        "UserView",
        &[
            ("id", "string"),
            ("username", "string"),
            ("display_name", "string"),
            ("role", "object"),
            ("org_unit_id", "string"),
            ("status", "object"),
        ],
    ),
    (
        "CreateUserRequest",
        &[
            ("username", "string"),
            ("display_name", "string"),
            ("role", "object"),
            ("org_unit_id", "string"),
        ],
    ),
    (
        "UserCreated",
        &[("user", "object"), ("credential", "object")],
    ),
    ("UpdateUserRequest", &[("status", "object")]),
    (
        "Event",
        &[
            ("kind", "object"),
            ("entity_id", "string"),
            ("tenant_code", "string"),
            ("at", "string"),
        ],
    ),
    ("Dashboard", &[("items", "array"), ("summary", "object")]),
    (
        "Counts",
        &[
            ("due", "integer"),
            ("overdue", "integer"),
            ("done", "integer"),
        ],
    ),
    (
        "ObligationView",
        &[
            ("id", "string"),
            ("kind", "object"),
            ("kind_label", "string"),
            ("title", "string"),
            ("due_on", "string"),
            ("state", "object"),
            ("owner_org_unit_id", "string"),
            ("owner_name", "string"),
            ("subject_type", "string"),
            ("subject_id", "string"),
            ("done_at", "string"),
            ("days_overdue", "integer"),
        ],
    ),
];
