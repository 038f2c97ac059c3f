locals {
  common_tags = {
    Project     = "zero-trust-access"
    Environment = var.environment_suffix
    ManagedBy   = "terraform"
  }

  # Business hours are 09:00-18:00 US Eastern (14:00-23:00 UTC).
  business_hours_condition = {
    DateGreaterThan = { "aws:CurrentTime" = "2024-01-01T14:00:00Z" }
    DateLessThan    = { "aws:CurrentTime" = "2024-01-01T23:00:00Z" }
  }
}
