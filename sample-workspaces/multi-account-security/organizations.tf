resource "aws_organizations_organization" "main" {
  feature_set = "ALL"

  enabled_policy_types = [
    "SERVICE_CONTROL_POLICY",
    "TAG_POLICY",
  ]

  aws_service_access_principals = [
    "cloudtrail.amazonaws.com",
    "config.amazonaws.com",
  ]
}

resource "aws_organizations_organizational_unit" "security" {
  name      = "${var.security_ou_name}-${var.environment_suffix}"
  parent_id = aws_organizations_organization.main.roots[0].id
  tags      = var.tags
}

resource "aws_organizations_organizational_unit" "production" {
  name      = "${var.production_ou_name}-${var.environment_suffix}"
  parent_id = aws_organizations_organization.main.roots[0].id
  tags      = var.tags
}

resource "aws_organizations_organizational_unit" "development" {
  name      = "${var.development_ou_name}-${var.environment_suffix}"
  parent_id = aws_organizations_organization.main.roots[0].id
  tags      = var.tags
}

resource "aws_organizations_policy" "require_s3_encryption" {
  name        = "require-s3-encryption-${var.environment_suffix}"
  description = "Refuses unencrypted object uploads in every member account"
  type        = "SERVICE_CONTROL_POLICY"

  content = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "DenyUnencryptedObjectUploads"
        Effect   = "Deny"
        Action   = "s3:PutObject"
        Resource = "*"
        Condition = {
          Null = {
            "s3:x-amz-server-side-encryption" = "true"
          }
        }
      }
    ]
  })
}

resource "aws_organizations_policy_attachment" "security" {
  policy_id = aws_organizations_policy.require_s3_encryption.id
  target_id = aws_organizations_organizational_unit.security.id
}

resource "aws_organizations_policy_attachment" "production" {
  policy_id = aws_organizations_policy.require_s3_encryption.id
  target_id = aws_organizations_organizational_unit.production.id
}

resource "aws_organizations_policy_attachment" "development" {
  policy_id = aws_organizations_policy.require_s3_encryption.id
  target_id = aws_organizations_organizational_unit.development.id
}
