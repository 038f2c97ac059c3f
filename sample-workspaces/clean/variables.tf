variable "aws_region" {
  description = "Region to deploy into"
  type        = string
  default     = "eu-west-1"
}

variable "environment_suffix" {
  description = "Suffix appended to resource names"
  type        = string
}

variable "vpc_cidr" {
  description = "Address range of the VPC"
  type        = string
  default     = "10.40.0.0/16"
}

variable "zone_count" {
  description = "How many availability zones get a private subnet each"
  type        = number
  default     = 2
}
