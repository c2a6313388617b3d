package dev.flyteparity.testee;

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
import org.flyte.jflyte.utils.ClassLoaders;
import org.flyte.jflyte.utils.ProtoReader;
import org.flyte.jflyte.utils.ProtoUtil;
import org.flyte.jflyte.utils.ProtoWriter;
import org.flyte.jflyte.utils.Registrars;

/** The jflyte calls the testee makes, from flytekit-java 0.4.23 on: jflyte-utils' public API. */
final class Jflyte {
  private Jflyte() {}

  /** The class loader jflyte execute builds for a folder of staged jars. */
  static ClassLoader classLoader(File dir) {
    return ClassLoaders.forDirectory(dir);
  }

  static <V> V withClassLoader(ClassLoader loader, Callable<V> callable) {
    return ClassLoaders.withClassLoader(loader, callable);
  }

  /** Every task the context class loader's registrars declare. */
  static Map<TaskIdentifier, RunnableTask> loadTasks(Map<String, String> env) {
    return Registrars.loadAll(RunnableTaskRegistrar.class, env);
  }

  static Map<String, Literal> readInputs(FileSystem fs, String uri) {
    return new ProtoReader(fs).getInput(uri);
  }

  static void writeOutputs(FileSystem fs, String prefix, Map<String, Literal> outputs) {
    new ProtoWriter(prefix, fs).writeOutputs(outputs);
  }

  static void writeError(FileSystem fs, String prefix, Errors.ContainerError error) {
    new ProtoWriter(prefix, fs).writeError(error);
  }

  static Errors.ContainerError serializeThrowable(Throwable e) {
    return ProtoUtil.serializeThrowable(e);
  }

  static Errors.ContainerError serializeContainerError(ContainerError e) {
    return ProtoUtil.serializeContainerError(e);
  }
}
