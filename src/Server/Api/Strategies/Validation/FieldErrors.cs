using System.Text;

namespace Nautilus.Server.Api.Strategies.Validation;

/// <summary>
/// apimachinery's field.ErrorList on top of Status causes: each constructor writes the cause type
/// and the message body (<c>ErrorBody</c>) exactly as k8s.io/apimachinery/pkg/util/validation/field
/// does, so <see cref="ApiException.Invalid"/> can aggregate them the way <c>ToAggregate</c> does.
/// Bad values are passed already rendered as Go's <c>%v</c>/<c>%q</c>/<c>%#v</c> would print them
/// (see <see cref="GoValue"/>).
/// </summary>
public readonly struct FieldErrors(List<StatusCause> causes)
{
    public List<StatusCause> Causes => causes;

    public int Count => causes.Count;

    /// <summary>field.Required: <c>Required value</c> or <c>Required value: detail</c>.</summary>
    public void Required(string field, string detail = "") => Add("FieldValueRequired", "Required value", detail, field);

    /// <summary>field.Invalid with a value already rendered (<see cref="GoValue"/>).</summary>
    public void Invalid(string field, string renderedValue, string detail) => Add("FieldValueInvalid", $"Invalid value: {renderedValue}", detail, field);

    /// <summary>field.Invalid of a string value (<c>%q</c>).</summary>
    public void InvalidString(string field, string value, string detail) => Invalid(field, GoValue.Quote(value), detail);

    /// <summary>field.Invalid of an integer value (<c>%v</c>).</summary>
    public void InvalidNumber(string field, long value, string detail) => Invalid(field, value.ToString(System.Globalization.CultureInfo.InvariantCulture), detail);

    /// <summary>field.NotSupported: <c>Unsupported value: "x": supported values: "a", "b"</c>.</summary>
    public void NotSupported(string field, string renderedValue, IEnumerable<string> supported)
    {
        var detail = new StringBuilder("supported values: ");
        var first = true;
        foreach (var value in supported)
        {
            if (!first)
            {
                detail.Append(", ");
            }

            detail.Append(GoValue.Quote(value));
            first = false;
        }

        Add("FieldValueNotSupported", $"Unsupported value: {renderedValue}", detail.ToString(), field);
    }

    public void NotSupportedString(string field, string value, IEnumerable<string> supported) => NotSupported(field, GoValue.Quote(value), supported);

    /// <summary>field.Duplicate: <c>Duplicate value: "x"</c>.</summary>
    public void Duplicate(string field, string renderedValue) => Add("FieldValueDuplicate", $"Duplicate value: {renderedValue}", "", field);

    /// <summary>field.NotFound: <c>Not found: "x"</c>.</summary>
    public void NotFound(string field, string renderedValue) => Add("FieldValueNotFound", $"Not found: {renderedValue}", "", field);

    /// <summary>field.Forbidden: <c>Forbidden: detail</c>.</summary>
    public void Forbidden(string field, string detail) => Add("FieldValueForbidden", "Forbidden", detail, field);

    /// <summary>field.TooLong: <c>Too long: may not be more than N bytes</c>.</summary>
    public void TooLong(string field, int maxLength) =>
        Add("FieldValueTooLong", "Too long", maxLength >= 0 ? $"may not be more than {maxLength} {(maxLength == 1 ? "byte" : "bytes")}" : "value is too long", field);

    private void Add(string type, string body, string detail, string field) =>
        causes.Add(new(type, detail.Length == 0 ? body : $"{body}: {detail}", field));
}
