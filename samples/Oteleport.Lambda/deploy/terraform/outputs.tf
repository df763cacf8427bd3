output "function_url" {
  description = "OTEL_EXPORTER_OTLP_ENDPOINT for senders, and the base of the REST API (without the trailing slash)."
  value       = trimsuffix(aws_lambda_function_url.oteleport.function_url, "/")
}

output "function_name" {
  value = aws_lambda_function.oteleport.function_name
}
