// "Copy link": copies the value of the field a button names, and says so.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  const said = document.querySelector(button.dataset.copied);
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    field.select(); // the browser refused: leave the link selected to copy by hand
    return;
  }
  said.textContent = said.dataset.text;
});
