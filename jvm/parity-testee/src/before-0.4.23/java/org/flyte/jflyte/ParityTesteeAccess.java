package org.flyte.jflyte;

import flyteidl.core.Errors;
import java.io.File;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flyte.api.v1.ContainerError;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.RunnableTask;
import org.flyte.api.v1.RunnableTaskRegistrar;
import org.flyte.api.v1.TaskIdentifier;
import org.flyte.jflyte.api.FileSystem;

/**
 * flyte-parity's testee, not part of flytekit-java: public doors to jflyte's package-private
 * helpers of flytekit-java before 0.4.23. It sits in jflyte's package and is loaded by the same
 * (application) class loader as the jflyte jar, so it may call them.
 */
public final class ParityTesteeAccess {
  private ParityTesteeAccess() {}

  public static ClassLoader classLoader(File dir) {
    return ClassLoaders.forDirectory(dir);
  }

  public static <V> V withClassLoader(ClassLoader loader, Callable<V> callable) {
    return ClassLoaders.withClassLoader(loader, callable);
  }

  public static Map<TaskIdentifier, RunnableTask> loadTasks(Map<String, String> env) {
    return Registrars.loadAll(RunnableTaskRegistrar.class, env);
  }

  public static Map<String, Literal> readInputs(FileSystem fs, String uri) {
    return new ProtoReader(fs).getInput(uri);
  }

  public static void writeOutputs(FileSystem fs, String prefix, Map<String, Literal> outputs) {
    new ProtoWriter(prefix, fs).writeOutputs(outputs);
  }

  public static void writeError(FileSystem fs, String prefix, Errors.ContainerError error) {
    new ProtoWriter(prefix, fs).writeError(error);
  }

  public static Errors.ContainerError serializeThrowable(Throwable e) {
    return ProtoUtil.serializeThrowable(e);
  }

  public static Errors.ContainerError serializeContainerError(ContainerError e) {
    return ProtoUtil.serializeContainerError(e);
  }
}
