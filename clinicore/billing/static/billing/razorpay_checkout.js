// The Razorpay payment page: opens Razorpay Standard Checkout (checkout.js) on the order the server
// created, and posts Razorpay's signed answer to the server, which verifies it before anything is
// marked paid. Closing the window only says so; the payment stays payable.
(function () {
  "use strict";

  const root = document.querySelector("[data-razorpay-checkout]");
  const data = document.getElementById("razorpay-options");
  if (!root || !data) {
    return;
  }
  const button = root.querySelector("[data-razorpay-open]");
  const form = root.querySelector("[data-razorpay-verify]");
  const notes = {
    dismissed: root.querySelector("[data-razorpay-dismissed]"),
    failed: root.querySelector("[data-razorpay-failed]"),
    unavailable: root.querySelector("[data-razorpay-unavailable]"),
    confirming: root.querySelector("[data-razorpay-confirming]"),
  };

  function show(name) {
    for (const [key, node] of Object.entries(notes)) {
      node.hidden = key !== name;
    }
  }

  function verify(response) {
    for (const field of ["razorpay_payment_id", "razorpay_order_id", "razorpay_signature"]) {
      form.elements[field].value = response[field] || "";
    }
    show("confirming");
    button.disabled = true;
    form.submit();
  }

  function open() {
    if (typeof window.Razorpay !== "function") {
      show("unavailable");
      return;
    }
    const options = JSON.parse(data.textContent);
    options.handler = verify;
    options.modal = {
      ondismiss: function () {
        show("dismissed");
        button.disabled = false;
        button.focus();
      },
    };
    const checkout = new window.Razorpay(options);
    checkout.on("payment.failed", function () {
      show("failed");
    });
    show(null);
    button.disabled = true;
    checkout.open();
  }

  button.addEventListener("click", open);
})();
