resource "aws_cloudwatch_log_group" "security_events" {
  name              = "/security/events-${var.environment_suffix}"
  retention_in_days = var.cloudwatch_log_retention_days
  kms_key_id        = aws_kms_key.primary.arn
  tags              = var.tags
}
