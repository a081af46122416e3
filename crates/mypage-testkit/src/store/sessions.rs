//! The [`SessionStore`]: browser sessions kept beside the tables, outside any transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mypage_domain::ports::{Digest, InfrastructureError, Session, SessionStore, SessionSubject};

use super::MemoryStore;

#[async_trait]
impl SessionStore for MemoryStore {
    async fn save(&self, session: &Session) -> Result<(), InfrastructureError> {
        self.state.lock().await.sessions.insert(session.id.as_hex().to_owned(), session.clone());
        Ok(())
    }

    async fn update(&self, session: &Session) -> Result<bool, InfrastructureError> {
        let mut guard = self.state.lock().await;
        match guard.sessions.get_mut(session.id.as_hex()) {
            Some(stored) => {
                *stored = session.clone();
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn load(&self, id: &Digest, now: DateTime<Utc>) -> Result<Option<Session>, InfrastructureError> {
        let guard = self.state.lock().await;
        Ok(guard.sessions.get(id.as_hex()).filter(|s| now < s.expires_at && now < s.idle_expires_at).cloned())
    }

    async fn delete(&self, id: &Digest) -> Result<(), InfrastructureError> {
        self.state.lock().await.sessions.remove(id.as_hex());
        Ok(())
    }

    async fn end_all(&self, subject: SessionSubject) -> Result<u64, InfrastructureError> {
        if subject == SessionSubject::Anonymous {
            return Ok(0);
        }
        let mut guard = self.state.lock().await;
        let before = guard.sessions.len();
        guard.sessions.retain(|_, s| s.subject != subject);
        Ok((before - guard.sessions.len()) as u64)
    }

    async fn for_subject(
        &self,
        subject: SessionSubject,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, InfrastructureError> {
        if subject == SessionSubject::Anonymous {
            return Ok(Vec::new());
        }
        let guard = self.state.lock().await;
        let mut live: Vec<Session> = guard
            .sessions
            .values()
            .filter(|s| s.subject == subject && now < s.expires_at && now < s.idle_expires_at)
            .cloned()
            .collect();
        live.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.as_hex().cmp(a.id.as_hex())));
        Ok(live)
    }

    async fn end(&self, subject: SessionSubject, id: &Digest) -> Result<bool, InfrastructureError> {
        if subject == SessionSubject::Anonymous {
            return Ok(false);
        }
        let mut guard = self.state.lock().await;
        if guard.sessions.get(id.as_hex()).is_some_and(|s| s.subject == subject) {
            guard.sessions.remove(id.as_hex());
            return Ok(true);
        }
        Ok(false)
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, InfrastructureError> {
        let mut guard = self.state.lock().await;
        let before = guard.sessions.len();
        guard.sessions.retain(|_, s| now < s.expires_at && now < s.idle_expires_at);
        Ok((before - guard.sessions.len()) as u64)
    }
}
