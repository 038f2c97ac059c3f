variable "aws_region" {
  description = "Region the security framework is deployed to"
  type        = string
  default     = "us-east-1"
}

variable "environment_suffix" {
  description = "Suffix appended to every resource name so that stacks can coexist"
  type        = string
  default     = "dev"
}

variable "repository" {
  description = "Source repository, for tagging"
  type        = string
  default     = "unknown"
}

variable "commit_author" {
  description = "Author of the change being deployed, for tagging"
  type        = string
  default     = "unknown"
}

variable "team" {
  description = "Owning team, for tagging"
  type        = string
  default     = "platform-security"
}
