variable "aws_region" {
  description = "Region the IAM and KMS controls are deployed to"
  type        = string
  default     = "us-east-1"
}

variable "environment_suffix" {
  description = "Suffix appended to every resource name so that stacks can coexist"
  type        = string
}

variable "log_retention_days" {
  description = "How long audit log groups keep their events"
  type        = number
  default     = 90
}
