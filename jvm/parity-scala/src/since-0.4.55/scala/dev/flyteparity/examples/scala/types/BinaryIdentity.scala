package dev.flyteparity.examples.scala.types

import org.flyte.api.v1.Binary
import org.flyte.flytekit.{SdkBindingData, SdkRunnableTask}
import org.flyte.flytekitscala.SdkScalaType

// flytekit-api has Binary from flytekit-java 0.4.55 on: compiled only for those versions.

/** Input and output of [[BinaryIdentity]]. */
case class BinaryValue(value: SdkBindingData[Binary])

/** Returns its binary scalar (tagged bytes, literal type simple BINARY) unchanged. */
class BinaryIdentity
    extends SdkRunnableTask[BinaryValue, BinaryValue](SdkScalaType[BinaryValue], SdkScalaType[BinaryValue]) {
  override def run(input: BinaryValue): BinaryValue = input
}
