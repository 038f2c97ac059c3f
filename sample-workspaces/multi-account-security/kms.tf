data "aws_caller_identity" "current" {}

resource "aws_kms_key" "primary" {
  description             = "Multi-region key for security framework data in ${var.primary_region}"
  multi_region            = true
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window
  tags                    = var.tags

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableAccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowCloudWatchLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.primary_region}.amazonaws.com" }
        Action = [
          "kms:Encrypt*",
          "kms:Decrypt*",
          "kms:ReEncrypt*",
          "kms:GenerateDataKey*",
          "kms:Describe*",
        ]
        Resource = "*"
      }
    ]
  })
}

resource "aws_kms_alias" "primary" {
  name          = "alias/security-framework-${var.environment_suffix}"
  target_key_id = aws_kms_key.primary.key_id
}

resource "aws_kms_replica_key" "secondary" {
  provider = aws.secondary

  description             = "Replica of the security framework key in ${var.secondary_region}"
  primary_key_arn         = aws_kms_key.primary.arn
  deletion_window_in_days = var.kms_deletion_window
  tags                    = var.tags
}

resource "aws_kms_replica_key" "secondary_logs" {
  provider = aws.secondary

  description             = "Replica of the log encryption key in ${var.secondary_region}"
  primary_key_arn         = aws_kms_key.primary.arn
  deletion_window_in_days = var.kms_deletion_window
  tags                    = var.tags
}
