package org.backchannel.server.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.Callable;
import org.backchannel.server.cli.ApiCommands.Connection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Workflows, their tasks and actions' executions, through the HTTP API. */
public final class WorkflowCommands {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private WorkflowCommands() {}

  @Command(
      name = "workflows",
      mixinStandardHelpOptions = true,
      description = "List workflows, show one, define one from a file, or change one.",
      subcommands = {
        Workflows.Show.class,
        Workflows.Create.class,
        Workflows.Update.class,
        Workflows.Versions.class
      })
  public static final class Workflows implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    @Override
    public Integer call() throws Exception {
      return api.call("GET", "/api/v1/workflows", null);
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a workflow.")
    static final class Show implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "WORKFLOW_ID")
      long id;

      @Override
      public Integer call() throws Exception {
        return api.call("GET", "/api/v1/workflows/" + id, null);
      }
    }

    @Command(
        name = "create",
        mixinStandardHelpOptions = true,
        description = "Define a workflow from a JSON file (see docs/WORKFLOWS.md).")
    static final class Create implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--file", required = true, description = "The definition, a JSON file.")
      String file;

      @Override
      public Integer call() throws Exception {
        return api.call("POST", "/api/v1/workflows", ApiCommands.json("--file", "@" + file));
      }
    }

    @Command(
        name = "update",
        mixinStandardHelpOptions = true,
        description =
            "Save a whole new definition of a workflow, from a JSON file, as its next version"
                + " (header values given as [redacted] keep their saved value).")
    static final class Update implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "WORKFLOW_ID")
      long id;

      @Option(names = "--file", required = true, description = "The definition, a JSON file.")
      String file;

      @Override
      public Integer call() throws Exception {
        return api.call("PUT", "/api/v1/workflows/" + id, ApiCommands.json("--file", "@" + file));
      }
    }

    @Command(
        name = "versions",
        mixinStandardHelpOptions = true,
        description = "List a workflow's saved versions, or show one.")
    static final class Versions implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "WORKFLOW_ID", index = "0")
      long id;

      @Parameters(paramLabel = "VERSION", index = "1", arity = "0..1")
      Integer version;

      @Override
      public Integer call() throws Exception {
        return api.call(
            "GET",
            "/api/v1/workflows/" + id + "/versions" + (version == null ? "" : "/" + version),
            null);
      }
    }
  }

  @Command(
      name = "tasks",
      mixinStandardHelpOptions = true,
      description = "List a workflow's tasks, create one, or change one.",
      subcommands = {Tasks.Create.class, Tasks.Update.class})
  public static final class Tasks implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    // Not required here: picocli would then ask for it before the subcommands too.
    @Option(names = "--workflow", description = "The workflow whose tasks to list.")
    Long workflow;

    @Option(names = "--active", description = "Only tasks not in an end stage.")
    boolean active;

    @Option(names = "--where", description = "A field filter, FIELD=VALUE (repeatable).")
    Map<String, String> where = Map.of();

    @Override
    public Integer call() throws Exception {
      if (workflow == null) {
        throw new ApiCommands.UsageError("tasks needs --workflow");
      }
      String[] pairs =
          where.entrySet().stream()
              .flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
              .toArray(String[]::new);
      return api.call(
          "GET",
          "/api/v1/workflows/"
              + workflow
              + "/tasks"
              + (active ? "/active" : "")
              + ApiCommands.query(pairs),
          null);
    }

    /** A task's fields and stage, as options. */
    static final class Values {
      @Option(names = "--field", description = "A field's value, NAME=VALUE (repeatable).")
      Map<String, String> fields = Map.of();

      @Option(names = "--fields", description = "The fields as a JSON object, or @FILE.")
      String json;

      @Option(names = "--stage")
      String stage;

      ObjectNode body() {
        ObjectNode values =
            json == null ? F.objectNode() : (ObjectNode) ApiCommands.json("--fields", json);
        fields.forEach(values::put);
        ObjectNode body = F.objectNode();
        body.set("fields", values);
        if (stage != null) {
          body.put("stage", stage);
        }
        return body;
      }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a task.")
    static final class Create implements Callable<Integer> {
      @Mixin Connection api = new Connection();
      @Mixin Values values = new Values();

      @Option(names = "--workflow", required = true)
      long workflow;

      @Override
      public Integer call() throws Exception {
        return api.call("POST", "/api/v1/workflows/" + workflow + "/tasks", values.body());
      }
    }

    @Command(
        name = "update",
        mixinStandardHelpOptions = true,
        description = "Change a task: only the fields given change.")
    static final class Update implements Callable<Integer> {
      @Mixin Connection api = new Connection();
      @Mixin Values values = new Values();

      @Option(names = "--workflow", required = true)
      long workflow;

      @Parameters(paramLabel = "TASK_ID")
      long task;

      @Override
      public Integer call() throws Exception {
        return api.call("PATCH", "/api/v1/workflows/" + workflow + "/tasks/" + task, values.body());
      }
    }
  }

  @Command(
      name = "executions",
      mixinStandardHelpOptions = true,
      description = "Run a task's action, or show how a run went.",
      subcommands = {Executions.Run.class, Executions.Show.class})
  public static final class Executions {
    @Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Run an action on a task; it runs in the background.")
    static final class Run implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--workflow", required = true)
      long workflow;

      @Option(names = "--task", required = true)
      long task;

      @Option(names = "--action", required = true)
      long action;

      @Option(
          names = "--performed-by",
          description = "Run it for this user, by id or email (admins only).")
      String performedBy;

      @Override
      public Integer call() throws Exception {
        ObjectNode body = F.objectNode().put("task_id", task).put("action_id", action);
        if (performedBy != null) {
          // The server takes an id or an email, as given.
          body.put("performed_by", performedBy);
        }
        return api.call("POST", "/api/v1/workflows/" + workflow + "/executions", body);
      }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show an execution.")
    static final class Show implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "EXECUTION_ID")
      long id;

      @Override
      public Integer call() throws Exception {
        return api.call("GET", "/api/v1/executions/" + id, null);
      }
    }
  }
}
