resource "aws_iam_policy" "regional_boundary" {
  name        = "regional-boundary-${var.environment_suffix}"
  description = "Permission boundary keeping every action in the deployment region"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "AllowWithinBoundary"
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      },
      {
        Sid      = "DenyOutsideDeploymentRegion"
        Effect   = "Deny"
        Action   = "*"
        Resource = "*"
        Condition = {
          StringNotEquals = {
            "aws:RequestedRegion" = var.aws_region
          }
        }
      }
    ]
  })
}

resource "aws_iam_policy" "security_admin" {
  name        = "security-admin-${var.environment_suffix}"
  description = "Key and role administration for the security team"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ManageKeysAndRoles"
        Effect = "Allow"
        Action = [
          "kms:*",
          "iam:GetRole",
          "iam:ListRoles",
          "iam:UpdateRole",
        ]
        Resource = "*"
      },
      {
        Sid    = "DenySensitiveOperationsOutsideBusinessHours"
        Effect = "Deny"
        Action = [
          "iam:DeleteRole",
          "iam:DeleteRolePolicy",
          "kms:ScheduleKeyDeletion",
          "kms:DisableKey",
        ]
        Resource = "*"
        Condition = {
          StringNotLike = {
            "aws:RequestedRegion" = "us-east-1"
          }
        }
      }
    ]
  })
}

resource "aws_iam_policy" "auditor" {
  name        = "auditor-${var.environment_suffix}"
  description = "Read-only audit access"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ReadOnlyAudit"
        Effect = "Allow"
        Action = [
          "iam:Get*",
          "iam:List*",
          "kms:Describe*",
          "kms:List*",
          "logs:Describe*",
          "logs:FilterLogEvents",
        ]
        Resource = "*"
      },
      {
        Sid    = "DenyLogTamperingOutsideBusinessHours"
        Effect = "Deny"
        Action = [
          "logs:DeleteLogGroup",
          "logs:PutRetentionPolicy",
        ]
        Resource = "*"
        Condition = {
          StringNotLike = {
            "aws:RequestedRegion" = "us-east-1"
          }
        }
      }
    ]
  })
}

resource "aws_iam_role_policy_attachment" "security_admin" {
  role       = aws_iam_role.security_admin.name
  policy_arn = aws_iam_policy.security_admin.arn
}

resource "aws_iam_role_policy_attachment" "auditor" {
  role       = aws_iam_role.auditor.name
  policy_arn = aws_iam_policy.auditor.arn
}
