//! Line pumping shared by the transports.

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::mpsc::UnboundedSender;

use super::RemoteEvent;

/// Reads `reader` to EOF and sends each line as it arrives, wrapped by `wrap`. Bytes, not
/// `lines()`: a script printing invalid UTF-8 must not end the stream (it is shown lossily),
/// and a last line without a newline is still sent. A read error ends the stream quietly: the
/// process's exit status, read next, tells what happened.
pub(crate) async fn pump<R>(
    reader: Option<R>,
    events: &UnboundedSender<RemoteEvent>,
    wrap: fn(String) -> RemoteEvent,
) where
    R: AsyncRead + Unpin,
{
    let Some(reader) = reader else { return };
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let mut line = buf.as_slice();
                if let Some(rest) = line.strip_suffix(b"\n") {
                    line = rest;
                }
                if let Some(rest) = line.strip_suffix(b"\r") {
                    line = rest;
                }
                // A closed receiver means nobody watches; keep draining so the child never
                // blocks on a full pipe.
                let _ = events.send(wrap(String::from_utf8_lossy(line).into_owned()));
            }
        }
    }
}
