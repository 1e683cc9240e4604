"""Words of the audit-standards parts of the chat: grade descriptors and cross-checks."""

BTN_DESCRIPTORS = "ℹ️ What do the grades mean?"
DESCRIPTORS_TITLE = "What the grades mean ({tool})"
DESCRIPTORS_BACK = "Your question is still above: choose a grade there when you are ready."

CROSS_CHECKS_TITLE = "⚠️ Before you submit, please check:"
CROSS_CHECK_LINE = "• {message} ({questions})"
CROSS_CHECKS_HOW = (
    "Change an answer with its ✎ button, or press Submit to confirm them as they are, with a "
    "reason."
)
CONFIRM_CROSS_CHECKS = (
    "Submit case {case} for {agency}? These answers were questioned:\n{lines}\n\n"
    "Press “Confirm with a reason” and type why they are right, or “Not yet” to go back and "
    "change them."
)
BTN_CONFIRM_REASON = "Confirm with a reason"
ASK_REASON = (
    "Type in one message why these answers are right as they are (for example, why the case "
    "was not graded although your agency was involved throughout). It is kept with the return "
    "and shown to the coordinators. Nothing is submitted until you send it; /cancel stops."
)
REASON_TOO_SHORT = "Please write a reason of at least a few words."
SUBMITTED_WITH_REASON = (
    "Submitted – thank you! Case {case} is done, with your reason kept on the return. "
    "/audit shows what's left."
)
CROSS_CHECK_REFUSED = "These answers need checking before the return can be submitted."
