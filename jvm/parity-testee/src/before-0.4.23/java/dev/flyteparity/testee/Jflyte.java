package dev.flyteparity.testee;

import flyteidl.core.Errors;
import java.io.File;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flyte.api.v1.ContainerError;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.RunnableTask;
import org.flyte.api.v1.TaskIdentifier;
import org.flyte.jflyte.ParityTesteeAccess;
import org.flyte.jflyte.api.FileSystem;

/**
 * The jflyte calls the testee makes, before flytekit-java 0.4.23: the same classes live in the
 * jflyte jar's own package and are package-private there, so a class of ours in that package
 * ({@link ParityTesteeAccess}) forwards to them.
 */
final class Jflyte {
  private Jflyte() {}

  static ClassLoader classLoader(File dir) {
    return ParityTesteeAccess.classLoader(dir);
  }

  static <V> V withClassLoader(ClassLoader loader, Callable<V> callable) {
    return ParityTesteeAccess.withClassLoader(loader, callable);
  }

  static Map<TaskIdentifier, RunnableTask> loadTasks(Map<String, String> env) {
    return ParityTesteeAccess.loadTasks(env);
  }

  static Map<String, Literal> readInputs(FileSystem fs, String uri) {
    return ParityTesteeAccess.readInputs(fs, uri);
  }

  static void writeOutputs(FileSystem fs, String prefix, Map<String, Literal> outputs) {
    ParityTesteeAccess.writeOutputs(fs, prefix, outputs);
  }

  static void writeError(FileSystem fs, String prefix, Errors.ContainerError error) {
    ParityTesteeAccess.writeError(fs, prefix, error);
  }

  static Errors.ContainerError serializeThrowable(Throwable e) {
    return ParityTesteeAccess.serializeThrowable(e);
  }

  static Errors.ContainerError serializeContainerError(ContainerError e) {
    return ParityTesteeAccess.serializeContainerError(e);
  }
}
