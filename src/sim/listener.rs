//! The listening socket. Accepting happens on a small dedicated thread so that
//! `Simulator::shutdown` can close the port synchronously: once it returns, new connections
//! are refused (not accepted-then-reset). Accepted connections are handed to the tokio task
//! that serves HTTP, through a channel.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc;

pub(crate) struct Acceptor {
    stop: Arc<AtomicBool>,
    addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

/// The tokio side: what `axum::serve` accepts from.
pub(crate) struct ChannelListener {
    rx: mpsc::UnboundedReceiver<TcpStream>,
    addr: SocketAddr,
}

/// Binds 127.0.0.1 on `port` (0: a free one) and starts accepting.
pub(crate) fn bind(port: u16) -> io::Result<(Acceptor, ChannelListener)> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = mpsc::unbounded_channel();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("cockpit-sim-accept".into())
        .spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                match conn {
                    Ok(s) => {
                        if tx.send(s).is_err() {
                            break;
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            // `listener` is dropped here: the port now refuses connections.
        })?;
    Ok((
        Acceptor {
            stop,
            addr,
            thread: Some(thread),
        },
        ChannelListener { rx, addr },
    ))
}

impl Acceptor {
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes the listening socket; returns once it is closed.
    pub(crate) fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let Some(thread) = self.thread.take() else {
            return;
        };
        // wake the blocking accept() so the thread sees the flag
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2));
        let _ = thread.join();
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        self.stop();
    }
}

impl axum::serve::Listener for ChannelListener {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Some(s) = self.rx.recv().await else {
                // the acceptor is gone: nothing will ever arrive
                std::future::pending::<()>().await;
                continue;
            };
            let peer = s.peer_addr().unwrap_or(self.addr);
            let _ = s.set_nodelay(true);
            if s.set_nonblocking(true).is_err() {
                continue;
            }
            if let Ok(t) = tokio::net::TcpStream::from_std(s) {
                return (t, peer);
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.addr)
    }
}
