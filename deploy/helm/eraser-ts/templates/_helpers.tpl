{{- define "eraser-ts.repeatInterval" -}}
{{- $h := int .Values.imageCleanerIntervalHours -}}
{{- if or (lt $h 24) (gt $h 2160) -}}
{{- fail (printf "imageCleanerIntervalHours must be between 24 and 2160, got %d" $h) -}}
{{- end -}}
{{- printf "%dh" $h -}}
{{- end -}}
