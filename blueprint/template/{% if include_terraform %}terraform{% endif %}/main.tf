locals {
  name = "${var.service_name}-${var.environment}"

  tags = {
    Service     = var.service_name
    Environment = var.environment
    ManagedBy   = "terraform"
  }

  # Load balancer and target group names: at most 32 letters, digits and
  # hyphens, no hyphen at either end, no "internal-" prefix (AWS refuses all
  # three), and unique per account and region. A name that fits is kept as it
  # is (renaming a load balancer replaces it, and its DNS name with it); a
  # longer one keeps a readable prefix, the environment's code and a hash of
  # the full name, so staging and production never collide, nor do two
  # services sharing a long prefix.
  lb_full_name = replace(local.name, "/^internal-/", "int-")
  lb_name = (
    length(local.lb_full_name) <= 32
    ? local.lb_full_name
    : format(
      "%s-%s-%s",
      trimsuffix(substr(local.lb_full_name, 0, 21), "-"),
      local.environment_code,
      substr(sha256(local.name), 0, 6),
    )
  )
  environment_code = {
    staging    = "stg"
    production = "prd"
  }[var.environment]
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/${local.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_ecs_cluster" "main" {
  name = local.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}
