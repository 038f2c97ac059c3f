resource "aws_cloudwatch_log_group" "iam_activity" {
  name              = "/aws/iam/activity-${var.environment_suffix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.infrastructure_secrets.arn
  tags              = local.common_tags
}

resource "aws_cloudwatch_log_group" "security_admin" {
  name              = "/aws/iam/security-admin-${var.environment_suffix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.infrastructure_secrets.arn
  tags              = local.common_tags
}

resource "aws_cloudwatch_log_group" "auditor" {
  name              = "/aws/iam/auditor-${var.environment_suffix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.infrastructure_secrets.arn
  tags              = local.common_tags
}

resource "aws_cloudwatch_log_group" "service_roles" {
  name              = "/aws/iam/service-roles-${var.environment_suffix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.infrastructure_secrets.arn
  tags              = local.common_tags
}

resource "aws_cloudwatch_log_group" "kms_activity" {
  name              = "/aws/kms/activity-${var.environment_suffix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.infrastructure_secrets.arn
  tags              = local.common_tags
}
