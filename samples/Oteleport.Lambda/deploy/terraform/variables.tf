variable "region" {
  description = "AWS region of the function and, best, of the bucket."
  type        = string
  default     = "us-east-1"
}

variable "function_name" {
  type    = string
  default = "oteleport"
}

variable "bucket" {
  description = "An existing S3 bucket for the signals."
  type        = string
}

variable "prefix" {
  description = "Key prefix inside the bucket (the Go server's layout goes below it)."
  type        = string
  default     = "oteleport/"
}

variable "access_key" {
  description = "The secret that senders and readers put in the Oteleport-Access-Key header."
  type        = string
  sensitive   = true
}

variable "cursor_encryption_key" {
  description = "Base64 of 32 random bytes (openssl rand -base64 32): keeps paging cursors valid across instances."
  type        = string
  sensitive   = true
}

variable "package_dir" {
  description = "The dotnet publish output that holds bootstrap."
  type        = string
  default     = "../../bin/publish/linux-arm64"
}

variable "package_bucket" {
  description = "Bucket for the function package (same region as the function); default: the signals bucket."
  type        = string
  default     = null
}

variable "package_key_prefix" {
  description = "Key prefix of the function package, outside the signals prefix."
  type        = string
  default     = "lambda-packages/"
}

variable "architecture" {
  description = "arm64 (Graviton; publish with the linux-arm64 profile) or x86_64 (linux-x64)."
  type        = string
  default     = "arm64"
}

variable "memory_size" {
  description = "MB; CPU grows with memory, and with it start-up and gzip speed."
  type        = number
  default     = 1024
}

variable "timeout_seconds" {
  type    = number
  default = 30
}

variable "log_retention_days" {
  type    = number
  default = 14
}
