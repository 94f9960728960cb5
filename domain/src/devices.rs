//! Devices a user binds to the account (a phone app, a kiosk, …), so other
//! services can ask whether a request comes from a known device.

use crate::store::devices::DeviceRow;
use crate::store::users::Role;
use crate::{clock, store, DomainError, UserCenter};
use shared::dto::{DeviceCheck, DeviceInfo};
use shared::validate::{check_device_field, check_device_id};
use shared::ErrorCode;

impl From<DeviceRow> for DeviceInfo {
    fn from(r: DeviceRow) -> Self {
        DeviceInfo {
            device_id: r.device_id,
            name: r.name,
            os: r.os,
            created_at: clock::rfc3339(r.created_at),
            updated_at: clock::rfc3339(r.updated_at),
        }
    }
}

impl UserCenter {
    /// Whether the client's `X-Device-Id` is bound to the user; a client
    /// without one is not.
    pub(crate) async fn device_is_bound(
        &self,
        user_id: i64,
        client: &crate::ClientInfo,
    ) -> Result<bool, DomainError> {
        let Some(device_id) = client.device_id.as_deref() else {
            return Ok(false);
        };
        let mut conn = self.pool.acquire().await?;
        Ok(store::devices::is_bound(&mut conn, user_id, device_id).await?)
    }

    /// Whether a sign-in from `client` would be the account's first from
    /// that device, for the new-device notice. A device is its
    /// `X-Device-Id` when the client sends one (seen on an earlier session
    /// or bound), else its browser and OS (the session label, e.g. "Chrome
    /// on Linux"): browsers send no id, and a new browser is what a stranger
    /// signing in brings. An account never signed in before has nothing to
    /// compare with: its first session is not "new".
    pub(crate) async fn is_new_device(
        &self,
        user_id: i64,
        client: &crate::ClientInfo,
    ) -> Result<bool, DomainError> {
        let device_id = client
            .device_id
            .as_deref()
            .filter(|d| check_device_id(d).is_ok());
        let label = crate::sessions::client_label(client.user_agent.as_deref());
        let mut conn = self.pool.acquire().await?;
        let (any, seen) =
            crate::store::sessions::device_history(&mut conn, user_id, device_id, &label).await?;
        Ok(any && !seen)
    }

    /// Binds the client's device after a code sign-in, named after its
    /// browser and OS; a client without a valid device id binds nothing.
    pub(crate) async fn trust_device(
        &self,
        user_id: i64,
        client: &crate::ClientInfo,
    ) -> Result<(), DomainError> {
        let Some(device_id) = client.device_id.as_deref() else {
            return Ok(());
        };
        if check_device_id(device_id).is_err() || self.device_is_bound(user_id, client).await? {
            return Ok(());
        }
        let label = crate::sessions::client_label(client.user_agent.as_deref());
        let name: String = label.chars().take(64).collect();
        let os = label
            .rsplit(" on ")
            .next()
            .unwrap_or("Unknown")
            .chars()
            .take(64)
            .collect::<String>();
        self.bind_device(user_id, device_id, &name, &os).await?;
        Ok(())
    }

    /// Binds a device, or renames it when it is already bound.
    pub async fn bind_device(
        &self,
        user_id: i64,
        device_id: &str,
        name: &str,
        os: &str,
    ) -> Result<DeviceInfo, DomainError> {
        let device_id = check_device_id(device_id)?;
        let name = check_device_field(name, shared::Field::DeviceName)?;
        let os = check_device_field(os, shared::Field::DeviceOs)?;
        let now = self.now();
        let mut conn = self.pool.acquire().await?;
        let row = store::devices::bind(&mut conn, user_id, &device_id, &name, &os, now).await?;
        Ok(row.into())
    }

    pub async fn list_devices(&self, user_id: i64) -> Result<Vec<DeviceInfo>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let rows = store::devices::list(&mut conn, user_id).await?;
        Ok(rows.into_iter().map(DeviceInfo::from).collect())
    }

    /// Unbinds a device; `NOT_FOUND` when it was not bound.
    pub async fn remove_device(&self, user_id: i64, device_id: &str) -> Result<(), DomainError> {
        let mut conn = self.pool.acquire().await?;
        if !store::devices::remove(&mut conn, user_id, device_id).await? {
            return Err(ErrorCode::NotFound.into());
        }
        Ok(())
    }

    /// Whether the device is bound to the user, and the user's group
    /// (1 super admin, 2 everyone else).
    pub async fn check_device(
        &self,
        user_id: i64,
        device_id: &str,
    ) -> Result<DeviceCheck, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let (role, bound) = store::devices::role_and_binding(&mut conn, user_id, device_id)
            .await?
            .ok_or(DomainError::from(ErrorCode::NotFound))?;
        Ok(DeviceCheck {
            bound,
            group: if role == Role::SuperAdmin { 1 } else { 2 },
        })
    }
}
