resource "aws_iam_role" "security_admin" {
  name                 = "security-admin-${var.environment_suffix}"
  max_session_duration = 3600
  permissions_boundary = aws_iam_policy.regional_boundary.arn
  tags                 = local.common_tags

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AssumeWithMFA"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "sts:AssumeRole"
        Condition = {
          Bool = { "aws:MultiFactorAuthPresent" = "true" }
        }
      }
    ]
  })
}

resource "aws_iam_role" "auditor" {
  name                 = "auditor-${var.environment_suffix}"
  max_session_duration = 3600
  permissions_boundary = aws_iam_policy.regional_boundary.arn
  tags                 = local.common_tags

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AssumeWithMFA"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "sts:AssumeRole"
        Condition = {
          Bool = { "aws:MultiFactorAuthPresent" = "true" }
        }
      }
    ]
  })
}
