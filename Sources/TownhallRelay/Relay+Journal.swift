import TownhallCore
import TownhallProtocol
import TownhallStore

extension Relay {
    /// Per tick: a snapshot when one is due; after a failure, another try of the disk.
    func tendJournal(now: Int64) {
        if disk.snapshotDue(now: now, appended: journal.status.appended, interval: config.snapshotIntervalMillis) {
            disk.snapshotSoon = false
            takeSnapshot(now: now)
        } else if disk.retryDue(now: now, interval: config.journalRetryMillis), let failedAt = disk.failedAt {
            if now - failedAt >= config.journalGiveUpMillis {
                disk.failedAt = nil
                logger.critical("journal.gave_up", metadata: ["seconds": "\((now - failedAt) / 1000)"])
                return onFatal("the journal could not be written for \((now - failedAt) / 1000) s")
            }
            retryJournal(now: now)
        }
    }

    /// Writes the whole state in the background; the journal before it is then dropped.
    /// The loop only copies the value (its collections are shared until written);
    /// building the snapshot and encoding it happen on the journal's side.
    package func takeSnapshot(now: Int64) {
        disk.snapshotInFlight = true
        disk.lastSnapshotAt = now
        let executor = executor
        journal.snapshot(core) { result in
            executor.execute { self.snapshotDone(result) }
        }
    }

    func snapshotDone(_ result: Result<SnapshotInfo, JournalError>) {
        disk.snapshotInFlight = false
        switch result {
        case .success(let info):
            disk.lastSnapshotCovered = info.covered
            logger.info("snapshot.written", metadata: ["records": "\(info.covered)", "bytes": "\(info.bytes)"])
        case .failure(let error):
            logger.error("snapshot.failed", metadata: ["error": "\(error.message)"])
        }
    }

    /// Cuts the journal back to its durable point and, if the disk takes a write and an
    /// fsync again, opens for changes again.
    func retryJournal(now: Int64) {
        disk.resetInFlight = true
        disk.lastRetry = now
        let executor = executor
        journal.reset { result in
            executor.execute { self.resetDone(result) }
        }
    }

    func resetDone(_ result: Result<Void, JournalError>) {
        disk.resetInFlight = false
        if case .failure(let error) = result {
            return logger.warning("journal.still_failing", metadata: ["error": "\(error.message)"])
        }
        // The state was rolled back when the write failed, so it is the durable one. The
        // failure streak (and its give-up clock) ends only when a real write succeeds.
        disk.acceptingChanges = true
        logger.notice("journal.recovered", metadata: ["records": "\(journal.status.durable)"])
    }

    /// Puts the state back to what is durable, right after a failed write: changes that
    /// were applied in memory but never saved must not be read by anyone. Updates only
    /// ever announced durable changes, so clients keep their state and resume points.
    /// The rebuild reads the disk off the service thread; meanwhile reads are refused
    /// and new sign-ins wait, so the unsaved state is never shown.
    func rollBack() {
        guard let reload, !disk.rebuilding else { return }
        disk.rebuilding = true
        offLoop({ Result<Townhall, any Error> { try reload() } }) { result in
            self.disk.rebuilding = false
            switch result {
            case .success(let durable):
                self.core = durable
                self.announced = []
                self.logger.notice("journal.rolled_back", metadata: ["records": "\(self.journal.status.durable)"])
            case .failure(let error):
                self.logger.error("journal.reload_failed", metadata: ["error": "\(error)"])
            }
            let waiting = self.disk.welcomesAfterRebuild
            self.disk.welcomesAfterRebuild = []
            for entry in waiting {
                self.authenticated(entry.connection, .success(entry.identity), resume: entry.resume, helloID: entry.helloID)
            }
        }
    }

    /// Turns new connections away; used on graceful shutdown.
    package func stopAccepting() {
        shuttingDown = true
    }
}
