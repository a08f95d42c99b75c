// What a valid order is: checked where orders enter the system, so later steps can trust them.
const email = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Returns the order keeping only known fields, or the list of what is wrong with the input. */
export function validateOrder(input) {
  const errors = [];
  if (typeof input?.customerEmail !== 'string' || !email.test(input.customerEmail)) {
    errors.push('customerEmail must be an email address');
  }
  const items = Array.isArray(input?.items) ? input.items : [];
  if (items.length === 0) errors.push('items must be a non-empty list');
  items.forEach((item, i) => {
    if (typeof item?.sku !== 'string' || item.sku === '') errors.push(`items[${i}].sku must be a string`);
    if (!Number.isInteger(item?.quantity) || item.quantity < 1) {
      errors.push(`items[${i}].quantity must be a positive integer`);
    }
  });
  if (errors.length > 0) return { errors };
  return {
    errors,
    order: {
      customerEmail: input.customerEmail,
      items: items.map(({ sku, quantity }) => ({ sku, quantity })),
      express: input.express === true,
    },
  };
}
