{{/* AKS Image Cleaner's interval (whole hours, 24..2160) as a Go duration. */}}
{{- define "eraser-ts.repeatInterval" -}}
{{- $h := .Values.imageCleanerIntervalHours -}}
{{- if not (or (kindIs "int64" $h) (kindIs "int" $h) (kindIs "float64" $h)) -}}
{{- fail (printf "imageCleanerIntervalHours must be a whole number of hours from 24 to 2160, got %v" $h) -}}
{{- end -}}
{{- if ne (float64 $h) (float64 (int64 $h)) -}}
{{- fail (printf "imageCleanerIntervalHours must be a whole number of hours from 24 to 2160, got %v" $h) -}}
{{- end -}}
{{- if or (lt (int $h) 24) (gt (int $h) 2160) -}}
{{- fail (printf "imageCleanerIntervalHours must be a whole number of hours from 24 to 2160, got %d" (int $h)) -}}
{{- end -}}
{{- printf "%dh" (int $h) -}}
{{- end -}}

{{/* One of .Values.images as a repository and a tag; both are required. Call with (list $ "name"). */}}
{{- define "eraser-ts.imageValues" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $image := index $root.Values.images $name | default dict -}}
{{- $repo := required (printf "images.%s.repository is required" $name) $image.repository -}}
{{- $tag := required (printf "images.%s.tag is required" $name) $image.tag -}}
{{- dict "repo" $repo "tag" (toString $tag) | toJson -}}
{{- end -}}
