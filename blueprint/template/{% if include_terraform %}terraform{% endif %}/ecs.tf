resource "aws_ecs_task_definition" "app" {
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  # Keep the previous revision registered: the circuit breaker rolls the
  # service back to it, and scripts/deploy.sh creates the new revision (to run
  # the migrations with it) before the service moves.
  skip_destroy = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name                   = "app"
      image                  = var.image
      essential              = true
      user                   = "10001:10001"
      readonlyRootFilesystem = true
      # SIGTERM, then this long before SIGKILL: more than the app's graceful
      # shutdown (GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS, 15 s by default).
      stopTimeout = 30
      portMappings = [
        { containerPort = var.container_port, protocol = "tcp" }
      ]
      environment = [
        { name = "APP_ENV", value = var.environment },
        { name = "PORT", value = tostring(var.container_port) },
        { name = "LOG_LEVEL", value = "INFO" },
      ]
      secrets = [
        { name = "DATABASE_URL", valueFrom = var.database_url_secret_arn },
        { name = "JWT_SECRET", valueFrom = var.jwt_secret_arn },
      ]
      mountPoints = [
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }
      ]
      healthCheck = {
        command     = ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${var.container_port}/health/live', timeout=2)"]
        interval    = 30
        timeout     = 5
        retries     = 3
        startPeriod = 15
      }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.app.name
          "awslogs-region"        = var.aws_region
          "awslogs-stream-prefix" = "app"
        }
      }
    }
  ])

  volume {
    name = "tmp"
  }

  # The execution role's permissions (pull the image, read the secrets, write
  # logs) exist before any task of this definition can start, including the
  # migration task scripts/deploy.sh runs after a targeted apply of it.
  depends_on = [
    aws_iam_role_policy_attachment.execution,
    aws_iam_role_policy.execution_secrets,
  ]
}

resource "aws_security_group" "app" {
  name        = "${local.name}-app"
  description = "Traffic from the load balancer to the tasks"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  referenced_security_group_id = aws_security_group.alb.id
  from_port                    = var.container_port
  to_port                      = var.container_port
  ip_protocol                  = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "app_all" {
  security_group_id = aws_security_group.app.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_ecs_service" "app" {
  name                   = local.name
  cluster                = aws_ecs_cluster.main.id
  task_definition        = aws_ecs_task_definition.app.arn
  desired_count          = var.desired_count
  launch_type            = "FARGATE"
  propagate_tags         = "SERVICE"
  enable_execute_command = false

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # `terraform apply` returns once the new tasks are healthy behind the load
  # balancer, or fails: within 15 minutes, so that the migration (at most
  # 10) and the rollout fit CI's 30-minute deploy job.
  wait_for_steady_state = true

  timeouts {
    create = "15m"
    update = "15m"
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = "app"
    container_port   = var.container_port
  }

  lifecycle {
    # Autoscaling owns the task count once the service exists.
    ignore_changes = [desired_count]

    # A deployment the circuit breaker rolled back also ends "steady", on the
    # old revision: that is a failed deploy, not a success.
    postcondition {
      condition     = self.task_definition == aws_ecs_task_definition.app.arn
      error_message = "The service is not running the new task definition: the deployment failed and ECS rolled it back (see the service's events)."
    }
  }

  depends_on = [aws_lb_listener.https]
}
