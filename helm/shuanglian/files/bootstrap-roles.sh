# Idempotent PostgreSQL bootstrap for Shuanglian: the owner (migrator) role, the
# application role and the database owned by the owner role. Run by the
# bootstrap-roles hook Job; works by hand too: sh bootstrap-roles.sh
# Needs psql >= 15 (\getenv). Environment:
#   SUPERUSER_URL   postgres://postgres:PW@host:5432/postgres (an existing database)
#   OWNER_ROLE, OWNER_PASSWORD, APP_ROLE, APP_PASSWORD, DATABASE_NAME
set -eu
: "${SUPERUSER_URL:?SUPERUSER_URL is not set}"
: "${OWNER_ROLE:?OWNER_ROLE is not set}"
: "${OWNER_PASSWORD:?OWNER_PASSWORD is not set or empty}"
: "${APP_ROLE:?APP_ROLE is not set}"
: "${APP_PASSWORD:?APP_PASSWORD is not set or empty}"
: "${DATABASE_NAME:?DATABASE_NAME is not set}"
if [ "$OWNER_ROLE" = "$APP_ROLE" ]; then
  echo "bootstrap-roles: the owner and application roles must differ ($OWNER_ROLE)" >&2
  exit 1
fi
# Secrets written by hand often end in a newline, which is no part of the
# password inside the URLs: drop trailing newlines.
OWNER_PASSWORD=$(printf '%s' "$OWNER_PASSWORD")
APP_PASSWORD=$(printf '%s' "$APP_PASSWORD")
export OWNER_PASSWORD APP_PASSWORD

psql "$SUPERUSER_URL" --no-psqlrc --quiet -v ON_ERROR_STOP=1 <<'SQL'
\getenv owner_role OWNER_ROLE
\getenv owner_password OWNER_PASSWORD
\getenv app_role APP_ROLE
\getenv app_password APP_PASSWORD
\getenv db_name DATABASE_NAME

-- psql does not substitute variables inside the DO body: hand them over as
-- session settings.
SELECT set_config('shuanglian.owner_role', :'owner_role', false) AS _r1,
       set_config('shuanglian.owner_password', :'owner_password', false) AS _p1,
       set_config('shuanglian.app_role', :'app_role', false) AS _r2,
       set_config('shuanglian.app_password', :'app_password', false) AS _p2
\gset

DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT * FROM (VALUES
      (current_setting('shuanglian.owner_role'), current_setting('shuanglian.owner_password')),
      (current_setting('shuanglian.app_role'), current_setting('shuanglian.app_password'))
    ) AS t(role_name, pw)
  LOOP
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r.role_name) THEN
      EXECUTE format(
        'CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L',
        r.role_name, r.pw);
      RAISE NOTICE 'created role %', r.role_name;
    ELSIF EXISTS (SELECT FROM pg_catalog.pg_roles
                  WHERE rolname = r.role_name AND (rolsuper OR rolbypassrls)) THEN
      RAISE EXCEPTION 'role % exists with SUPERUSER or BYPASSRLS: row-level security would not apply to it', r.role_name;
    ELSE
      -- Keep the password in step with the Secret (rotation).
      EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', r.role_name, r.pw);
      RAISE NOTICE 'role % exists: password updated', r.role_name;
    END IF;
  END LOOP;
END
$$;
RESET shuanglian.owner_password;
RESET shuanglian.app_password;

SELECT format('CREATE DATABASE %I OWNER %I', :'db_name', :'owner_role')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'db_name')
\gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db_name', :'owner_role')
\gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db_name', :'app_role')
\gexec

-- In the application database: migrations (as the owner) create the tables in
-- schema public; nobody else may create objects there.
\connect :"db_name"
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner_role')
\gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
\echo bootstrap-roles: roles and database are ready
SQL
