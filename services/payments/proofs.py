"""The member's proof: it moves their open request from awaiting_proof to submitted,
queues the admins' card and the member's confirmation."""

from __future__ import annotations

from domain.proofs import ProofFile, duplicate_of
from domain.states import PaymentStatus
from kernel.notices import Notice
from services.payments._base import PaymentServiceBase
from services.payments._shared import review_card, view_of
from services.payments.views import PaymentError, PaymentProblem, ProofReceipt


class Proofs(PaymentServiceBase):
    async def attach_proof(self, telegram_id: int, proof: ProofFile) -> ProofReceipt:
        """The member's proof moves their open request from awaiting_proof to submitted.

        A proof whose bytes, Telegram file or picture matches an earlier one (this
        member's or anyone's) is flagged for the admins, never rejected by itself.
        The admin card and the member's confirmation (`proof.received`) are queued in
        the outbox in the same transaction."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            request = await uow.payments.open_of(member.id)
            if request is None:
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            if request.status != PaymentStatus.AWAITING_PROOF:
                raise PaymentError(PaymentProblem.ALREADY_SUBMITTED, await view_of(uow, request))
            if request.method_id is None:
                raise PaymentError(PaymentProblem.NO_METHOD, await view_of(uow, request))
            if not await uow.payments.move(
                request.id, PaymentStatus.AWAITING_PROOF, PaymentStatus.SUBMITTED, now
            ):
                raise PaymentError(PaymentProblem.NO_OPEN_REQUEST)
            duplicate = duplicate_of(proof, await uow.proofs.fingerprints())
            proof_id = await uow.proofs.add(request.id, proof, duplicate, now)
            receipt = ProofReceipt(request.id, proof_id, duplicate)
            if self.admin_chat_id is not None:
                submitted = await uow.payments.get(request.id)
                stored = await uow.proofs.get(proof_id)
                assert submitted is not None and stored is not None
                card = await review_card(uow, submitted, stored)
                await uow.outbox.enqueue(
                    Notice(
                        chat_id=self.admin_chat_id,
                        text_key=card.text_key,
                        language=self.default_language,
                        params=card.params,
                        buttons=self.review_buttons(request.id, proof_id, member.telegram_id),
                        photo_file_id=card.photo_file_id,
                        document_file_id=card.document_file_id,
                        dedupe_key=f"payment:{request.id}:card:{proof_id}",
                    ),
                    now,
                )
            # The member's "proof received" rides in the same transaction as the card: once
            # this commits they are told, even if Telegram fails the handler's reply.
            await uow.outbox.tell_member(
                member,
                self.default_language,
                "proof.received",
                {"request": request.id},
                f"payment:{request.id}:received:{proof_id}",
                now,
            )
            await uow.commit()
            return receipt
