/**
 * Odoo's errors as the fake raises them: the fully qualified Python name
 * (`odoo.exceptions.AccessError`, `builtins.ValueError`…), the message, and
 * the HTTP status JSON-2 gives them (`UserError.http_status` and its
 * subclasses; anything else is a 500). JSON-RPC answers every one with
 * HTTP 200 and an `error` member.
 */
export class OdooFault extends Error {
  constructor(
    readonly pyName: string,
    message: string,
    /** The status of a JSON-2 answer. */
    readonly httpStatus: number,
  ) {
    super(message);
  }

  /** Odoo's `serialize_exception`: the `data` of a JSON-RPC error, the body of a JSON-2 error. */
  serialize(context: Record<string, unknown> = {}): Record<string, unknown> {
    const [module, cls] = splitName(this.pyName);
    return {
      name: this.pyName,
      message: this.message,
      arguments: [this.message],
      context,
      debug:
        'Traceback (most recent call last):\n' +
        '  File "/opt/odoo/odoo/http.py", line 2137, in _serve_db\n' +
        '    return service_model.retrying(self._serve_ir_http, self.env)\n' +
        `${module}.${cls}: ${this.message}\n`,
    };
  }
}

function splitName(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return [name.slice(0, dot), name.slice(dot + 1)];
}

export const valueError = (message: string) => new OdooFault('builtins.ValueError', message, 500);
export const typeError = (message: string) => new OdooFault('builtins.TypeError', message, 500);
export const attributeError = (message: string) => new OdooFault('builtins.AttributeError', message, 500);
export const keyError = (message: string) => new OdooFault('builtins.KeyError', message, 500);
export const accessDenied = () => new OdooFault('odoo.exceptions.AccessDenied', 'Access Denied', 403);
export const accessError = (message: string) => new OdooFault('odoo.exceptions.AccessError', message, 403);
export const validationError = (message: string) =>
  new OdooFault('odoo.exceptions.ValidationError', message, 422);
export const userError = (message: string) => new OdooFault('odoo.exceptions.UserError', message, 422);
export const missingError = (message: string) => new OdooFault('odoo.exceptions.MissingError', message, 404);
export const serializationFailure = () =>
  new OdooFault(
    'psycopg2.errors.SerializationFailure',
    'could not serialize access due to concurrent update',
    500,
  );
export const operationalError = (message: string) => new OdooFault('psycopg2.OperationalError', message, 500);
