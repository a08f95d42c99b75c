// Tells customers what happened to their order, one message per order event published on the topic.
const subjects = {
  'order.paid': 'We have your payment',
  'order.shipped': 'Your order is on its way',
  'order.cancelled': 'Your order was cancelled',
};

export async function notifyCustomer(event) {
  for (const record of event.Records) {
    const { type, orderId, customerEmail } = JSON.parse(record.Sns.Message);
    // Events without a customer-facing subject, or without an address, are not for customers.
    if (subjects[type] === undefined || customerEmail === undefined) continue;
    // The example stops short of sending mail (SES); the log line is the message that would be sent.
    console.log(JSON.stringify({ to: customerEmail, subject: subjects[type], orderId }));
  }
}
