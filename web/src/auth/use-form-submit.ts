import { useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.ts';

export interface FormSubmission {
  submitting: boolean;
  /** Error messages by form field, from the API's `error.details[].field`. */
  fieldErrors: Record<string, string>;
  /** The failure to show above the form: one without field details, or details naming no field of this form. */
  formError: unknown;
  /** Messages of details whose field is not on this form. */
  otherDetails: string[];
  submit(work: () => Promise<void>): Promise<void>;
  clearField(field: string): void;
}

/**
 * Runs a form's request and sorts its failure: details naming one of
 * `fields` go next to that field, everything else above the form.
 */
export function useFormSubmit(fields: readonly string[]): FormSubmission {
  const [submitting, setSubmitting] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [otherDetails, setOtherDetails] = useState<string[]>([]);

  async function submit(work: () => Promise<void>): Promise<void> {
    if (submitting) return;
    setSubmitting(true);
    setFieldErrors({});
    setFormError(null);
    setOtherDetails([]);
    try {
      await work();
    } catch (error) {
      const known: Record<string, string> = {};
      const other: string[] = [];
      if (error instanceof ApiError) {
        for (const detail of error.details) {
          // Validation paths may be nested ("body.username"); the last segment names the form field.
          const field = detail.field?.split('.').pop();
          if (field && fields.includes(field)) known[field] ??= detail.message;
          else other.push(detail.field ? `${detail.field}: ${detail.message}` : detail.message);
        }
      }
      setFieldErrors(known);
      setOtherDetails(other);
      setFormError(error);
    } finally {
      setSubmitting(false);
    }
  }

  function clearField(field: string): void {
    if (!(field in fieldErrors)) return;
    const rest = { ...fieldErrors };
    delete rest[field];
    setFieldErrors(rest);
  }

  return { submitting, fieldErrors, formError, otherDetails, submit, clearField };
}
