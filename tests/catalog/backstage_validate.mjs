// Validate Backstage entities the way the portal's catalog backend does: its default entity policies
// (default namespace, no foreign root fields, field formats, the entity envelope schema) and, for the
// built-in kinds, the kind's own validator. Reads a JSON array of entities on stdin (placeholders such
// as {$text: ...} already resolved); prints a JSON array of "<kind>:<name>: <error>" strings.
import {
  DefaultNamespaceEntityPolicy, EntityPolicies, FieldFormatEntityPolicy, NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy, apiEntityV1alpha1Validator, componentEntityV1alpha1Validator,
} from "@backstage/catalog-model";

const policy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(), new DefaultNamespaceEntityPolicy(), new NoForeignRootFieldsEntityPolicy(), new FieldFormatEntityPolicy(),
]);
const kinds = { API: apiEntityV1alpha1Validator, Component: componentEntityV1alpha1Validator };

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  const errors = [];
  for (const entity of JSON.parse(input)) {
    const id = `${entity.kind}:${entity.metadata && entity.metadata.name}`;
    try {
      const out = await policy.enforce(entity);
      if (!out) { errors.push(`${id}: refused by the entity policies`); continue; }
      const validator = kinds[entity.kind];
      if (validator && (await validator.check(out)) !== true) { errors.push(`${id}: not a valid ${entity.kind}`); }
    } catch (e) {
      errors.push(`${id}: ${e.message}`);
    }
  }
  process.stdout.write(JSON.stringify(errors));
});
