data "aws_caller_identity" "current" {}

resource "aws_kms_key" "infrastructure_secrets" {
  description             = "Encrypts audit logs and infrastructure secrets"
  deletion_window_in_days = 7
  enable_key_rotation     = true
  tags                    = local.common_tags
}

resource "aws_kms_alias" "infrastructure_secrets" {
  name          = "alias/infrastructure-secrets-${var.environment_suffix}"
  target_key_id = aws_kms_key.infrastructure_secrets.key_id
}

resource "aws_kms_key_policy" "infrastructure_secrets" {
  key_id = aws_kms_key.infrastructure_secrets.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableRootAccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowSecurityAdminKeyManagement"
        Effect    = "Allow"
        Principal = { AWS = aws_iam_role.security_admin.arn }
        Action = [
          "kms:Describe*",
          "kms:Enable*",
          "kms:Disable*",
          "kms:Put*",
          "kms:Update*",
          "kms:ScheduleKeyDeletion",
          "kms:CancelKeyDeletion",
        ]
        Resource = "*"
      },
      {
        Sid       = "AllowAuditorDescribe"
        Effect    = "Allow"
        Principal = { AWS = aws_iam_role.auditor.arn }
        Action    = ["kms:Describe*", "kms:Get*", "kms:List*"]
        Resource  = "*"
      }
    ]
  })
}
