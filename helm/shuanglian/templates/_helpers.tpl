{{/*
Chart name, truncated to the 63 characters a DNS label allows.
*/}}
{{- define "shuanglian.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: <release>-<chart>, or the release name when it already contains the
chart name. Kept to 50 characters so that suffixes like "-migrate" fit.
*/}}
{{- define "shuanglian.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "shuanglian.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels common to every object.
*/}}
{{- define "shuanglian.labels" -}}
helm.sh/chart: {{ include "shuanglian.chart" . }}
app.kubernetes.io/name: {{ include "shuanglian.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: shuanglian
{{- end }}

{{/*
Selector of the API pods. The component label keeps the hook Jobs' pods out of
the Service, the PDB and the NetworkPolicy.
*/}}
{{- define "shuanglian.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shuanglian.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end }}

{{- define "shuanglian.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "shuanglian.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
ServiceAccount of the hook Jobs (see values.yaml, hooks.serviceAccount).
*/}}
{{- define "shuanglian.hooksServiceAccountName" -}}
{{- if .Values.hooks.serviceAccount.create }}
{{- printf "%s-hooks" (include "shuanglian.fullname" .) }}
{{- else }}
{{- default "default" .Values.hooks.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "shuanglian.image" -}}
{{- printf "%s:%s" .Values.image.repository (toString (default .Chart.AppVersion .Values.image.tag)) }}
{{- end }}

{{/*
Secret references. Missing required ones stop rendering with a message that
says what to create.
*/}}
{{- define "shuanglian.databaseSecret" -}}
{{- required "database.existingSecret is required: the name of an existing Secret with the application role's PostgreSQL URL (key database.appUrlKey, default \"app-url\") and the owner role's URL (key database.migrationUrlKey, default \"migration-url\"). See the chart README." .Values.database.existingSecret }}
{{- end }}

{{- define "shuanglian.migrationSecret" -}}
{{- default (include "shuanglian.databaseSecret" .) .Values.database.migrationExistingSecret }}
{{- end }}

{{- define "shuanglian.masterKeySecret" -}}
{{- required "masterKey.existingSecret is required: the name of an existing Secret with the base64 32-byte field-encryption master key (key masterKey.key, default \"master-key\"). See the chart README." .Values.masterKey.existingSecret }}
{{- end }}

{{/*
Whether more than one API pod may run at once.
*/}}
{{- define "shuanglian.multiReplica" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{/*
Cross-value checks; included by the Deployment so that every render runs them.
*/}}
{{- define "shuanglian.validate" -}}
{{- if and (include "shuanglian.multiReplica" .) (not .Values.redis.existingSecret) }}
{{- fail "redis.existingSecret is required when more than one pod can run (replicaCount > 1 or autoscaling.enabled): sessions, lockouts and rate limits are shared through Redis. Create a Secret with REDIS_URL (key redis.urlKey, default \"redis-url\"), or set replicaCount=1 and autoscaling.enabled=false." }}
{{- end }}
{{- $grace := int .Values.terminationGracePeriodSeconds }}
{{- $needed := add (int .Values.config.shutdownGraceSecs) (int .Values.lifecycle.preStopSleepSeconds) }}
{{- if le $grace $needed }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed lifecycle.preStopSleepSeconds + config.shutdownGraceSecs (%d): the server needs that long to drain after SIGTERM." $grace $needed) }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- end }}

{{/*
Environment shared by the API pods and the migration Job (no secrets).
*/}}
{{- define "shuanglian.commonEnv" -}}
- name: SHUANGLIAN_LOG_FORMAT
  value: {{ .Values.config.logFormat | quote }}
- name: SHUANGLIAN_TELEMETRY__LOG_FILTER
  value: {{ .Values.config.logFilter | quote }}
{{- with .Values.config.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- end }}

{{/*
An emptyDir for /tmp: the root filesystem is read-only.
*/}}
{{- define "shuanglian.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end }}
