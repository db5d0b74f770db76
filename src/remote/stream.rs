//! Line pumping shared by the transports.

use std::future::Future;
use std::time::Duration;

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

/// The part of a run both transports share: say `Started`, stream stdout and stderr to EOF,
/// then await `exit`, all within `timeout` (`Err` when it ran out). Both pipes are read to EOF
/// before waiting, so a chatty child never blocks on a full pipe, no output is lost after the
/// exit, and openssh (whose `wait` ends the output streams) still delivers everything.
pub(crate) async fn stream_until_exit<O, E, W>(
    stdout: Option<O>,
    stderr: Option<E>,
    exit: W,
    events: &UnboundedSender<RemoteEvent>,
    timeout: Duration,
) -> Result<W::Output, tokio::time::error::Elapsed>
where
    O: AsyncRead + Unpin,
    E: AsyncRead + Unpin,
    W: Future,
{
    let _ = events.send(RemoteEvent::Started);
    tokio::time::timeout(timeout, async {
        tokio::join!(
            pump(stdout, events, RemoteEvent::Stdout),
            pump(stderr, events, RemoteEvent::Stderr)
        );
        exit.await
    })
    .await
}
