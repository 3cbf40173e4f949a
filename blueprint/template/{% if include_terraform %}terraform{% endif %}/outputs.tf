output "load_balancer_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.main.dns_name
}

output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.main.name
}

output "service_name" {
  description = "ECS service name."
  value       = aws_ecs_service.app.name
}

output "task_definition_arn" {
  description = "Task definition deployed."
  value       = aws_ecs_task_definition.app.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the app."
  value       = aws_cloudwatch_log_group.app.name
}

output "aws_region" {
  description = "Region of every resource here (for the AWS CLI)."
  value       = var.aws_region
}

# What scripts/deploy.sh needs to run the migrations as a one-off task. It
# depends only on what deploy.sh's targeted apply creates, so it is current
# before the service is updated.
output "migration_network_configuration" {
  description = "awsvpcConfiguration for `aws ecs run-task` (JSON): the service's subnets and security group."
  value = jsonencode({
    awsvpcConfiguration = {
      subnets        = var.private_subnet_ids
      securityGroups = [aws_security_group.app.id]
      assignPublicIp = "DISABLED"
    }
  })
}
