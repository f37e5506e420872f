from typing import Any

from django.conf import settings
from django.db.models.signals import pre_save
from django.dispatch import receiver

from ntm.api.services import tokens_revoke_all


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="ntm-api-password-changed")
def revoke_tokens_on_password_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A new password (change, reset, admin) revokes the person's API tokens. Django keeps the
    raw new password in ``_password`` until the save; a hash upgrade at login clears it first,
    so it revokes nothing."""
    if instance.pk is not None and getattr(instance, "_password", None) is not None:
        tokens_revoke_all(user_id=instance.pk)
