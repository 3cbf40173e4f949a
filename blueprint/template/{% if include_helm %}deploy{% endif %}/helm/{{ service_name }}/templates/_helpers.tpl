{{/* Chart name, truncated to a DNS label. */}}
{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name. */}}
{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The migration Job's name, and its NetworkPolicy's: the release-qualified name
cut to 55 characters before "-migrate", so the whole stays a 63-character
DNS label (the Job's pods also carry it as their job-name label).
*/}}
{{- define "app.migrationName" -}}
{{- printf "%s-migrate" (include "app.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}

{{- define "app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's labels: every object and pod of the chart has them. */}}
{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The app's pods, and only them: the Deployment, Service, PDB, NetworkPolicy
and spread constraints select these. The migration Job's pods carry
component "migration" instead, so no app selector ever matches them.
*/}}
{{- define "app.apiSelectorLabels" -}}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/component: api
{{- end }}

{{/* The migration Job's pods. */}}
{{- define "app.migrationSelectorLabels" -}}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/component: migration
{{- end }}

{{- define "app.labels" -}}
helm.sh/chart: {{ include "app.chart" . }}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "app.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "app.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image, by digest when one is given. */}}
{{- define "app.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Blueprint 1.0 created the Deployment with a selector without the component
label, and Kubernetes cannot change a Deployment's selector in place. Stop
before anything is changed (the migration hook included) with the steps to
take, rather than let the upgrade fail half-way on "field is immutable".
Called with (dict "existing" <the live Deployment or empty> "context" $).
*/}}
{{- define "app.assertSelectorUpgradable" -}}
{{- $live := dig "spec" "selector" "matchLabels" dict .existing }}
{{- $want := include "app.apiSelectorLabels" .context | fromYaml }}
{{- if and $live (not (eq (toJson $live) (toJson $want))) }}
{{- fail (printf "Deployment %s/%s has the selector %s; this chart needs %s, and Kubernetes cannot change a selector in place. Recreate the Deployment without stopping its pods (kubectl -n %s delete deployment %s --cascade=orphan) and deploy again: see \"Upgrading from blueprint 1.0\" in docs/kubernetes.md." .context.Release.Namespace (include "app.fullname" .context) (toJson $live) (toJson $want) .context.Release.Namespace (include "app.fullname" .context)) }}
{{- end }}
{{- end }}

{{/* The shutdown budget: the pause, then uvicorn's drain, within the grace period. */}}
{{- define "app.assertShutdownBudget" -}}
{{- $s := .Values.shutdown }}
{{- if le (int $s.terminationGracePeriodSeconds) (add $s.preStopSleepSeconds $s.gracefulShutdownSeconds | int) }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds (%d) must be larger than shutdown.preStopSleepSeconds (%d) + shutdown.gracefulShutdownSeconds (%d), or the kubelet kills the app before it has drained its requests." (int $s.terminationGracePeriodSeconds) (int $s.preStopSleepSeconds) (int $s.gracefulShutdownSeconds)) }}
{{- end }}
{{- end }}

{{/* Egress every pod of the chart needs: cluster DNS and the database. */}}
{{- define "app.egressRules" -}}
{{- $egress := .Values.networkPolicy.egress -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ $egress.dns.namespace }}
      {{- with $egress.dns.podLabels }}
      podSelector:
        matchLabels:
          {{- toYaml . | nindent 10 }}
      {{- end }}
  ports:
    {{- range $egress.dns.ports }}
    - protocol: UDP
      port: {{ . }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
- to:
    {{- toYaml $egress.database.to | nindent 4 }}
  ports:
    - protocol: TCP
      port: {{ $egress.database.port }}
{{- end }}
