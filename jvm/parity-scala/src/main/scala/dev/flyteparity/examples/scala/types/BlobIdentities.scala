package dev.flyteparity.examples.scala.types

import org.flyte.api.v1.Blob
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
