package dev.flyteparity.examples.scala.types

import org.flyte.api.v1.{Binary, Blob}
import org.flyte.flytekit.{SdkBindingData, SdkRunnableTask}
import org.flyte.flytekitscala.SdkScalaType

/** Input and output of [[BlobIdentity]]. */
case class BlobValue(value: SdkBindingData[Blob])

/** Returns its blob reference unchanged. flytekit-scala types every Blob field as a single file
  * with an empty format (BlobType.DEFAULT); the uri is passed on, the bytes are never read.
  */
class BlobIdentity
    extends SdkRunnableTask[BlobValue, BlobValue](SdkScalaType[BlobValue], SdkScalaType[BlobValue]) {
  override def run(input: BlobValue): BlobValue = input
}

/** Input and output of [[BinaryIdentity]]. */
case class BinaryValue(value: SdkBindingData[Binary])

/** Returns its binary scalar (tagged bytes, literal type simple BINARY) unchanged. */
class BinaryIdentity
    extends SdkRunnableTask[BinaryValue, BinaryValue](SdkScalaType[BinaryValue], SdkScalaType[BinaryValue]) {
  override def run(input: BinaryValue): BinaryValue = input
}
