# Oteleport as a Lambda function behind a Function URL, storing in S3.
#
#   dotnet publish samples/Oteleport.Lambda -p:PublishProfile=linux-arm64
#   cd samples/Oteleport.Lambda/deploy/terraform
#   terraform init
#   terraform apply -var bucket=my-telemetry-bucket \
#     -var access_key="$(openssl rand -hex 24)" -var cursor_encryption_key="$(openssl rand -base64 32)"

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source = "hashicorp/aws"
      # invoked_via_function_url on aws_lambda_permission needs a recent 6.x provider.
      version = ">= 6.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4"
    }
  }
}

provider "aws" {
  region = var.region
}

locals {
  prefix   = trim(var.prefix, "/") == "" ? "" : "${trim(var.prefix, "/")}/"
  location = "s3://${var.bucket}/${local.prefix}"
}

# The published folder (bootstrap and its files) as the function package. A self-contained ReadyToRun
# package zips to about 50 MB, at Lambda's limit for a direct upload, so it goes through S3.
data "archive_file" "package" {
  type        = "zip"
  source_dir  = var.package_dir
  output_path = "${path.module}/.build/oteleport-lambda.zip"
}

resource "aws_s3_object" "package" {
  bucket      = coalesce(var.package_bucket, var.bucket)
  key         = "${var.package_key_prefix}${var.function_name}-${data.archive_file.package.output_md5}.zip"
  source      = data.archive_file.package.output_path
  source_hash = data.archive_file.package.output_md5
}

resource "aws_cloudwatch_log_group" "oteleport" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "oteleport" {
  name               = "${var.function_name}-lambda"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "oteleport" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.oteleport.arn}:*"]
  }
  # Oteleport lists a signal's hour partitions, and checks the bucket at start.
  statement {
    sid       = "ListPrefix"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::${var.bucket}"]
    dynamic "condition" {
      for_each = local.prefix == "" ? [] : [local.prefix]
      content {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = [condition.value, "${condition.value}*"]
      }
    }
  }
  statement {
    sid       = "ReadWriteObjects"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:aws:s3:::${var.bucket}/${local.prefix}*"]
  }
}

resource "aws_iam_role_policy" "oteleport" {
  name   = "oteleport"
  role   = aws_iam_role.oteleport.id
  policy = data.aws_iam_policy_document.oteleport.json
}

resource "aws_lambda_function" "oteleport" {
  function_name    = var.function_name
  role             = aws_iam_role.oteleport.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap" # not used by provided.* runtimes, but required by the API
  architectures    = [var.architecture]
  s3_bucket        = aws_s3_object.package.bucket
  s3_key           = aws_s3_object.package.key
  source_code_hash = data.archive_file.package.output_base64sha256
  memory_size      = var.memory_size
  timeout          = var.timeout_seconds

  environment {
    variables = {
      Oteleport__Storage__Location            = local.location
      Oteleport__Storage__CursorEncryptionKey = var.cursor_encryption_key
      Oteleport__AccessKeys__0__SecretKey     = var.access_key
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.oteleport.name
  }

  depends_on = [aws_iam_role_policy.oteleport]
}

# No AWS authentication on the URL: Oteleport's own access key (Oteleport-Access-Key header) protects it.
# No cors block: browsers are not clients of an OTLP receiver.
resource "aws_lambda_function_url" "oteleport" {
  function_name      = aws_lambda_function.oteleport.function_name
  authorization_type = "NONE"
}

# A NONE URL still needs the resource policy to allow public calls: both actions, for URLs made since October 2025.
resource "aws_lambda_permission" "url" {
  statement_id           = "FunctionUrlPublicAccess"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.oteleport.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "invoke_via_url" {
  statement_id             = "FunctionUrlInvokeFunction"
  action                   = "lambda:InvokeFunction"
  function_name            = aws_lambda_function.oteleport.function_name
  principal                = "*"
  invoked_via_function_url = true
}
